import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkApiBase,
  checkApiKey,
  DEFAULT_API_BASE,
  explainSettings,
  localSigningSecret,
  resolveSettings,
} from "../../src/config/settings.js";
import { checkProfileName, configFilePath, readConfig, updateConfig } from "../../src/config/store.js";
import { CliError } from "../../src/errors.js";
import { cleanEnv, spawnCli, tempConfigDir } from "../helpers/cli.js";

let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  config = tempConfigDir();
  env = { FANFARE_CONFIG_DIR: config.dir };
});
afterEach(() => config.cleanup());

function writeConfig(data: unknown) {
  writeFileSync(join(config.dir, "config.json"), JSON.stringify(data));
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("resolveSettings precedence: flag > env > profile > default", () => {
  beforeEach(() =>
    writeConfig({
      profiles: {
        default: { apiKey: "sk_profile_default", apiBase: "http://profile.test/api" },
        staging: { apiKey: "sk_profile_staging" },
      },
    }),
  );

  it("defaults when nothing is set", async () => {
    config.cleanup();
    mkdirSync(config.dir, { recursive: true });
    expect(await resolveSettings({}, env)).toEqual({
      profile: "default",
      apiKey: null,
      apiKeySource: null,
      apiBase: DEFAULT_API_BASE,
    });
  });

  it("the saved profile beats the default", async () => {
    expect(await resolveSettings({}, env)).toEqual({
      profile: "default",
      apiKey: "sk_profile_default",
      apiKeySource: "profile",
      apiBase: "http://profile.test/api",
    });
  });

  it("the environment beats the profile", async () => {
    const s = await explainSettings({}, { ...env, FANFARE_SECRET_KEY: "sk_env", FANFARE_API_BASE: "http://env.test/api" });
    expect(s).toMatchObject({ apiKey: "sk_env", apiKeySource: "env", apiBase: "http://env.test/api", apiBaseSource: "env" });
  });

  it("flags beat the environment", async () => {
    const s = await explainSettings(
      { apiKey: "sk_flag", apiBase: "http://flag.test/api" },
      { ...env, FANFARE_SECRET_KEY: "sk_env", FANFARE_API_BASE: "http://env.test/api" },
    );
    expect(s).toMatchObject({ apiKey: "sk_flag", apiKeySource: "flag", apiBase: "http://flag.test/api", apiBaseSource: "flag" });
  });

  it("an empty variable counts as unset", async () => {
    const s = await resolveSettings({}, { ...env, FANFARE_SECRET_KEY: "", FANFARE_API_BASE: " " });
    expect(s).toMatchObject({ apiKey: "sk_profile_default", apiKeySource: "profile", apiBase: "http://profile.test/api" });
  });

  it("profile: --profile > FANFARE_PROFILE > default; a profile without apiBase uses the default base", async () => {
    expect(await resolveSettings({}, { ...env, FANFARE_PROFILE: "staging" })).toEqual({
      profile: "staging",
      apiKey: "sk_profile_staging",
      apiKeySource: "profile",
      apiBase: DEFAULT_API_BASE,
    });
    const s = await explainSettings({ profile: "default" }, { ...env, FANFARE_PROFILE: "staging" });
    expect(s).toMatchObject({ profile: "default", profileSource: "flag", apiKey: "sk_profile_default" });
    expect(await resolveSettings({ profile: "nobody" }, env)).toMatchObject({ profile: "nobody", apiKey: null });
  });

  it("a profile named like an Object property is just missing", async () => {
    expect(await resolveSettings({ profile: "constructor" }, env)).toMatchObject({ apiKey: null, apiBase: DEFAULT_API_BASE });
  });
});

describe("the config file", () => {
  it("is written with mode 0600 in an owner-only folder", async () => {
    const dir = join(config.dir, "nested");
    const nestedEnv = { FANFARE_CONFIG_DIR: dir };
    await updateConfig((d) => {
      d.profiles = { default: { apiKey: "sk_x" } };
    }, nestedEnv);
    expect(mode(configFilePath(nestedEnv))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(JSON.parse(readFileSync(configFilePath(nestedEnv), "utf8"))).toEqual({ profiles: { default: { apiKey: "sk_x" } } });
  });

  it("a file made earlier with a looser mode is tightened on the next write", async () => {
    writeConfig({});
    chmodSync(configFilePath(env), 0o644);
    await updateConfig((d) => {
      d.localSecret = "whsec_0123456789abcdef";
    }, env);
    expect(mode(configFilePath(env))).toBe(0o600);
  });

  it("keeps other profiles and keys when one changes", async () => {
    writeConfig({ profiles: { a: { apiKey: "sk_a" } }, localSecret: "whsec_keepthisone123" });
    await updateConfig((d) => {
      d.profiles!.b = { apiBase: "http://b" };
    }, env);
    expect(await readConfig(env)).toEqual({
      profiles: { a: { apiKey: "sk_a" }, b: { apiBase: "http://b" } },
      localSecret: "whsec_keepthisone123",
    });
  });

  it("a broken file is a usage error naming the file, for reads and writes", async () => {
    writeFileSync(configFilePath(env), "{not json");
    for (const attempt of [() => readConfig(env), () => updateConfig(() => {}, env)]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).toBe(`the config file ${configFilePath(env)} is not valid JSON`);
    }
  });
});

describe("localSigningSecret", () => {
  it("is generated once and stable across calls", async () => {
    const first = await localSigningSecret(env);
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(await localSigningSecret(env)).toBe(first);
    expect((await readConfig(env)).localSecret).toBe(first);
    expect(mode(configFilePath(env))).toBe(0o600);
  });

  it("is the same in another process", async () => {
    const first = await localSigningSecret(env);
    const run = () => spawnCli(["webhooks", "listen", "--print-secret"], { env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir }) });
    expect((await run()).stdout).toBe(first + "\n");
    expect((await run()).stdout).toBe(first + "\n");
  });

  it("does not disturb saved profiles", async () => {
    writeConfig({ profiles: { default: { apiKey: "sk_keep" } } });
    await localSigningSecret(env);
    expect((await readConfig(env)).profiles).toEqual({ default: { apiKey: "sk_keep" } });
  });
});

describe("checks", () => {
  it("checkApiBase accepts http(s) URLs and drops a trailing slash", () => {
    expect(checkApiBase("http://127.0.0.1:8787/api/")).toBe("http://127.0.0.1:8787/api");
    expect(() => checkApiBase("ftp://x")).toThrow(/not http\(s\)/);
    expect(() => checkApiBase("localhost:8787", "FANFARE_API_BASE")).toThrow('invalid API base URL "localhost:8787" (FANFARE_API_BASE)');
  });

  it("checkApiBase refuses a control character the URL parser would have taken (percent-encoded in the path)", () => {
    expect(new URL("http://127.0.0.1:8787/a\u001b[31m").pathname).toBe("/a%1B[31m");
    expect(() => checkApiBase("http://127.0.0.1:8787/a\u001b[31m", "--api-base")).toThrow(
      "invalid API base URL (--api-base): it contains a control character (U+001B)",
    );
    expect(() => checkApiBase("http://127.0.0.1:8787/\u009b31m")).toThrow("U+009B");
  });

  it("checkApiKey trims, and refuses an empty key, whitespace and any control character (C0, DEL, C1) by code point", () => {
    expect(checkApiKey("  sk_test_abc-123.x  ", "--api-key", "h")).toBe("sk_test_abc-123.x");
    expect(() => checkApiKey("  ", "--api-key", "h")).toThrow("--api-key is empty");
    expect(() => checkApiKey("sk a", "apiKey", "h")).toThrow("apiKey contains whitespace (U+0020)");
    expect(() => checkApiKey("sk\u00a0a", "apiKey", "h")).toThrow("apiKey contains whitespace (U+00A0)");
    for (const c of ["\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u009b"]) {
      const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      const error = (() => {
        try {
          checkApiKey(`sk_test_${c}x`, "--api-key", "pass a plain key");
        } catch (e) {
          return e as CliError;
        }
      })();
      expect(error).toBeInstanceOf(CliError);
      expect(error).toMatchObject({ exitCode: 2, code: "invalid_api_key", hint: "pass a plain key" });
      expect(error!.message).toMatch(new RegExp(`^--api-key contains (a control character|whitespace) \\(U\\+${code.slice(2)}\\)$`));
    }
  });

  it("checkProfileName keeps names plain", () => {
    expect(checkProfileName("staging-2")).toBe("staging-2");
    for (const bad of ["", "a b", "../x", "-x"]) expect(() => checkProfileName(bad)).toThrow(/invalid profile name/);
  });
});
