import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stripAnsi } from "../../src/terminal/style.js";
import { cleanEnv, runCli, tempConfigDir, type CliResult } from "../helpers/cli.js";

const KEY = "sk_test_e2eLoginKey0123456789WXYZ";
const MASKED = "sk_test_••••••••WXYZ";

type Emulator = { url: string; apiKey: string; close: () => Promise<void> };
let emulator: Emulator;
let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
const configFile = () => join(config.dir, "config.json");
const saved = () => JSON.parse(readFileSync(configFile(), "utf8"));

beforeAll(async () => {
  const { startEmulator } = await import("../../src/emulator/index.js");
  emulator = (await startEmulator({ port: 0, timeScale: 100_000, apiKeys: [KEY] })) as Emulator;
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(() => {
  config = tempConfigDir();
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir });
});
afterEach(() => config.cleanup());

function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runCli(args, { env: options.env ?? env, input: options.input });
}

/** The key must never be printed in full unless asked for. */
function expectKeyHidden(r: CliResult) {
  expect(r.stdout + r.stderr).not.toContain(KEY);
}

describe("fanfare login", () => {
  it("reads the key from stdin, checks it, saves the profile with mode 0600", async () => {
    const r = await cli(["login", "--api-base", emulator.url], { input: `${KEY}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`logged in: profile "default" saved (key ${MASKED}, ${emulator.url})\n`);
    expectKeyHidden(r);
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(saved()).toEqual({ profiles: { default: { apiKey: KEY, apiBase: emulator.url } } });

    // The saved profile is what later commands use, with nothing in the environment.
    const list = await cli(["webhooks", "endpoints", "list", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
  });

  it("--api-key works but warns that argv is visible in ps; --json prints a masked summary", async () => {
    const r = await cli(["login", "--api-key", KEY, "--api-base", emulator.url, "--profile", "staging", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    // With --json, a warning is a JSON object on a line of its own, as an error is.
    const warnings = r.stderr.trim().split("\n").map((line) => JSON.parse(line));
    expect(warnings).toEqual([{ warning: { message: expect.stringMatching(/^--api-key is visible to other users in `ps`/) } }]);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ profile: "staging", apiBase: emulator.url, apiKey: MASKED, configFile: configFile() });
    expectKeyHidden({ ...r, stderr: r.stderr.replace("--api-key", "") });
    expect(saved().profiles.staging.apiKey).toBe(KEY);
  });

  it("a wrong key → exit 1 with the 401 hint, and nothing is saved", async () => {
    const r = await cli(["login", "--api-base", emulator.url], { input: "sk_test_wrongKey000000000\n" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the API rejected the key \(401 /);
    // Not "run `fanfare login`": that is what was just run.
    expect(r.stderr).toMatch(/hint: check the key \(copy it again, whole\) and that it belongs to http:\/\/127\.0\.0\.1:\d+\/api; nothing was saved\n$/);
    expect(r.stderr).not.toMatch(/run `fanfare login`/);
    expect(existsSync(configFile())).toBe(false);
  });

  it("an unreachable API → exit 1, nothing saved", async () => {
    const r = await cli(["login", "--api-base", "http://127.0.0.1:1/api"], { input: KEY });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:1\/api \(connection refused/);
    expect(existsSync(configFile())).toBe(false);
  });

  it("empty stdin → exit 2 saying how to pass the key", async () => {
    const r = await cli(["login", "--api-base", emulator.url], { input: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: no API key on stdin\nhint: pipe the key in (printf %s "$KEY" | fanfare login) or type it at the prompt\n',
    );
  });

  it("Ctrl-D at the hidden prompt (input ends, nothing typed) → exit 2, as an empty line; 130 is for Ctrl-C", async () => {
    const r = await runCli(["login", "--api-base", emulator.url], { env, input: "", tty: true });
    expect(r.code).toBe(2);
    expect(stripAnsi(r.stderr)).toMatch(/\nerror: no API key entered\n/);
  });

  it("a key with a control character → exit 2 naming it, before any request; nothing saved", async () => {
    const piped = await cli(["login", "--api-base", emulator.url], { input: `${KEY}\u001b[2J\n` });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toBe("error: the API key contains a control character (U+001B)\nhint: paste the key alone, on one line\n");
    const flag = await cli(["login", "--api-base", emulator.url, "--api-key", `${KEY}\u0007`]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/error: --api-key contains a control character \(U\+0007\)\n/);
    expect(existsSync(configFile())).toBe(false);
  });

  it("a bad --api-base or profile name → exit 2", async () => {
    const a = await cli(["login", "--api-base", "not a url"], { input: KEY });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^error: invalid API base URL "not a url" \(--api-base\)/);
    const b = await cli(["login", "--profile", "../etc", "--api-base", emulator.url], { input: KEY });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^error: invalid profile name "\.\.\/etc"/);
  });
});

describe("fanfare logout", () => {
  it("removes the saved key and says which; a second logout has nothing to do (exit 0)", async () => {
    await cli(["login", "--api-base", emulator.url], { input: KEY });
    const r = await cli(["logout"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`logged out: removed key ${MASKED} from profile "default" (${configFile()})\n`);
    // The API base stays: it is not a secret, and the next login reuses it.
    expect(saved()).toEqual({ profiles: { default: { apiBase: emulator.url } } });
    const again = await cli(["logout"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('nothing to do: profile "default" has no saved key\n');
  });

  it("warns when FANFARE_SECRET_KEY is still set", async () => {
    const r = await cli(["logout"], { env: { ...env, FANFARE_SECRET_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/FANFARE_SECRET_KEY is still set/);
  });
});

describe("fanfare config", () => {
  it("list shows every setting with its source, keys masked", async () => {
    await cli(["login", "--api-base", emulator.url], { input: KEY });
    const r = await cli(["config", "list"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`apiKey\\s+${MASKED.replace(/[•]/g, "•")} \\(profile\\)`));
    expect(r.stdout).toMatch(/apiBase\s+http:\/\/127\.0\.0\.1:\d+\/api \(profile\)/);
    expect(r.stdout).toMatch(/^default\s+sk_test_••••••••WXYZ\s+http:/m);
    expectKeyHidden(r);

    const j = await cli(["config", "list", "--json"], { env: { ...env, FANFARE_SECRET_KEY: "sk_test_fromEnv00000000ABCD" } });
    const listing = JSON.parse(j.stdout);
    expect(listing).toMatchObject({ profile: "default", apiKey: "sk_test_••••••••ABCD", apiKeySource: "env", apiBaseSource: "profile" });
    expect(listing.profiles.default.apiKey).toBe(MASKED);
    expect(j.stdout).not.toContain("fromEnv");
  });

  it("get prints one value; apiKey masked unless --show-secret / --reveal", async () => {
    await cli(["login", "--api-base", emulator.url], { input: KEY });
    expect((await cli(["config", "get", "apiBase"])).stdout).toBe(`${emulator.url}\n`);
    const masked = await cli(["config", "get", "apiKey"]);
    expect(masked.stdout).toBe(`${MASKED}\n`);
    expect((await cli(["config", "get", "apiKey", "--show-secret"])).stdout).toBe(`${KEY}\n`);
    expect((await cli(["config", "get", "apiKey", "--reveal"])).stdout).toBe(`${KEY}\n`);
    expect(JSON.parse((await cli(["config", "get", "profile", "--json"])).stdout)).toEqual({
      key: "profile",
      value: "default",
      source: "default",
      profile: "default",
    });
  });

  it("get of an unset key → exit 1; an unknown key → exit 2 listing the keys", async () => {
    const unset = await cli(["config", "get", "apiKey"]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toBe('error: apiKey is not set (profile "default")\nhint: run `fanfare login`, or set FANFARE_SECRET_KEY\n');
    const unknown = await cli(["config", "get", "colour"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: unknown setting "colour"\nhint: settings: apiKey, apiBase, profile, configFile\n');
    const close = await cli(["config", "get", "apikey"]);
    expect(close.code).toBe(2);
    expect(close.stderr).toBe('error: unknown setting "apikey"\nhint: did you mean apiKey? (settings: apiKey, apiBase, profile, configFile)\n');
  });

  it("set saves apiBase / apiKey in the chosen profile; other keys → exit 2", async () => {
    const base = await cli(["config", "set", "apiBase", emulator.url + "/", "--profile", "local"]);
    expect(base.code, base.stderr).toBe(0);
    expect(base.stdout).toBe(`saved apiBase = ${emulator.url} in profile "local"\n`);
    const key = await cli(["config", "set", "apiKey", "-", "--profile", "local"], { input: KEY + "\n" });
    expect(key.code, key.stderr).toBe(0);
    expect(key.stdout).toBe(`saved apiKey = ${MASKED} in profile "local"\n`);
    expectKeyHidden(key);
    expect(saved().profiles.local).toEqual({ apiBase: emulator.url, apiKey: KEY });
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);

    // FANFARE_PROFILE picks the profile for every command.
    const list = await cli(["webhooks", "endpoints", "list", "--json"], { env: { ...env, FANFARE_PROFILE: "local" } });
    expect(list.code, list.stderr).toBe(0);

    const bad = await cli(["config", "set", "colour", "red"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: "colour" cannot be set\nhint: settable: apiBase, apiKey\n');
    for (const typo of ["apikey", "api_key", "apiKye", "API-BASE"]) {
      const near = await cli(["config", "set", typo, "x"]);
      expect(near.code).toBe(2);
      expect(near.stderr).toMatch(new RegExp(`^error: "${typo}" cannot be set\nhint: did you mean api(Key|Base)\\? \\(settable: apiBase, apiKey\\)\n$`));
    }
    const badUrl = await cli(["config", "set", "apiBase", "nope"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/^error: invalid API base URL "nope" \(value\)/);
  });

  it("set apiKey refuses a control character (ESC, BEL, DEL, C1) as it refuses whitespace: exit 2 naming it, nothing saved", async () => {
    for (const [key, code] of [
      [`${KEY}\u001b]0;x\u0007`, "U+001B"],
      [`sk_test_\u0007${KEY}`, "U+0007"],
      [`${KEY}\u007f`, "U+007F"],
      [`${KEY}\u009b`, "U+009B"],
    ] as const) {
      for (const r of [await cli(["config", "set", "apiKey", key]), await cli(["config", "set", "apiKey", "-"], { input: key })]) {
        expect(r.code, JSON.stringify(key)).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr.endsWith(`error: apiKey contains a control character (${code})\nhint: pass the key alone, on one line, as the dashboard shows it\n`), r.stderr).toBe(true);
      }
    }
    const spaced = await cli(["config", "set", "apiKey", "-"], { input: "sk_test one\n" });
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toMatch(/^error: apiKey contains whitespace \(U\+0020\)\n/);
    expect(existsSync(configFile())).toBe(false);
  });

  it("list and get escape control characters from a hand-edited config file; --json keeps them as JSON escapes", async () => {
    const base = "http://127.0.0.1:1/api\u001b]0;owned\u0007\u009b2J";
    const key = "sk_test_handEdited0000\u001b[2J";
    mkdirSync(config.dir, { recursive: true });
    writeFileSync(configFile(), JSON.stringify({ profiles: { default: { apiKey: key, apiBase: base }, ["x\u001b[31m"]: { apiBase: base } } }));
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

    const list = await cli(["config", "list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toMatch(raw);
    expect(list.stdout).toMatch(/apiBase\s+http:\/\/127\.0\.0\.1:1\/api\\x1b\]0;owned\\x07\\x9b2J \(profile\)/);
    expect(list.stdout).toMatch(/apiKey\s+sk_test_••••••••\\x1b\[2J \(profile\)/);
    expect(list.stdout).toMatch(/^x\\x1b\[31m\s+—\s+http:/m);

    const get = await cli(["config", "get", "apiBase"]);
    expect(get.stdout).toBe("http://127.0.0.1:1/api\\x1b]0;owned\\x07\\x9b2J\n");
    const shown = await cli(["config", "get", "apiKey", "--show-secret"]);
    expect(shown.stdout).toBe("sk_test_handEdited0000\\x1b[2J\n");

    for (const args of [["config", "list", "--json"], ["config", "get", "apiBase", "--json"]]) {
      const j = await cli(args);
      expect(j.code, j.stderr).toBe(0);
      expect(j.stdout).not.toMatch(raw);
      expect(JSON.stringify(JSON.parse(j.stdout))).toContain(JSON.stringify(base).slice(1, -1));
    }
  });

  it("a key on the command line is saved with a warning", async () => {
    const r = await cli(["config", "set", "apiKey", KEY]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: a key on the command line is visible in `ps`/);
    expect(r.stdout).toBe(`saved apiKey = ${MASKED} in profile "default"\n`);
  });
});
