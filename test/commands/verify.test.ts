import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli.js";
import { createDeps } from "../../src/commands/deps.js";
import { cleanEnv, runCli, tempConfigDir, type CliResult } from "../helpers/cli.js";

const SECRET = "whsec_e2eSecretForVerify0123456789";
const BODY = '{"id":"whk_01J1Z8Q6ZK3M4N5P6Q7R8S9T0V","type":"draw.consumer.won","data":{"amount":"149.99"}}\n';

function hmacHex(...parts: Array<string | Buffer>): string {
  const h = createHmac("sha256", SECRET);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const v1 = (ts: number, body: string | Buffer = BODY) => `t=${ts},v1=${hmacHex(`${ts}.`, body)}`;

let config: { dir: string; cleanup: () => void };
let bodyFile: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  config = tempConfigDir();
  bodyFile = join(config.dir, "body.json");
  writeFileSync(bodyFile, BODY);
  mkdirSync(join(config.dir, "a-directory"));
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir });
});

afterAll(() => config.cleanup());

function verify(args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}) {
  return runCli(["webhooks", "verify", ...args], { env: options.env ?? env, input: options.input });
}

function withSecret(signature: string, ...more: string[]) {
  return verify(["--secret", SECRET, "--payload", bodyFile, "--signature", signature, ...more]);
}

/** A user mistake or refusal: one line of reason (plus at most a hint), never a stack trace. */
function expectShortFailure(result: CliResult, exitCode: number, pattern: RegExp) {
  expect(result.code, result.stdout + result.stderr).toBe(exitCode);
  const all = result.stdout + result.stderr;
  expect(all).toMatch(pattern);
  expect(all).not.toMatch(/^\s{4}at /m);
  expect(all).not.toMatch(/unexpected error/);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines.length).toBeLessThanOrEqual(exitCode === 1 ? 1 : 2);
}

describe("fanfare webhooks verify: valid signatures exit 0", () => {
  it("v1 from a file, with the age in the message", async () => {
    const r = await withSecret(v1(nowSeconds() - 12));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✓ valid signature \(v1, timestamp 1[2-9] s old\)\n$/);
    expect(r.stderr).toBe("");
  });

  it("sha256= and bare hex, and uppercase hex", async () => {
    const sha = await withSecret(`sha256=${hmacHex(BODY)}`);
    expect(sha.code, sha.stderr).toBe(0);
    expect(sha.stdout).toContain("valid signature (sha256, no timestamp to check)");
    const hex = await withSecret(hmacHex(BODY).toUpperCase(), "--timestamp", String(nowSeconds()));
    expect(hex.code, hex.stderr).toBe(0);
    expect(hex.stdout).toMatch(/valid signature \(hex, timestamp \d s old\)/);
  });

  it("a pasted header line, several v1 values, and --tolerance 0 for an old delivery", async () => {
    const ts = nowSeconds() - 86_400;
    const header = `X-Fanfare-Signature: t=${ts},v1=${"0".repeat(64)},v1=${hmacHex(`${ts}.`, BODY)}`;
    const r = await withSecret(header, "--tolerance", "0");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/timestamp 24 h old, not checked/);
  });

  it("--json prints one object on stdout", async () => {
    const ts = nowSeconds();
    const r = await withSecret(v1(ts), "--json");
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed).toMatchObject({ valid: true, scheme: "v1", timestamp: ts, tolerance: 300, timestampChecked: true });
    expect(parsed.age).toBeGreaterThanOrEqual(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("the secret from FANFARE_WEBHOOK_SECRET", async () => {
    const r = await verify(["--payload", bodyFile, "--signature", v1(nowSeconds())], {
      env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir, FANFARE_WEBHOOK_SECRET: SECRET }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("valid signature");
  });

  it("a 10 MB body from a file", async () => {
    const big = randomBytes(10 * 1024 * 1024);
    const file = join(config.dir, "big.bin");
    writeFileSync(file, big);
    const ts = nowSeconds();
    const r = await verify(["--secret", SECRET, "--payload", file, "--signature", v1(ts, big)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("valid signature (v1");
  });

  it("a binary body from stdin, byte for byte", async () => {
    const binary = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x0a]), randomBytes(64 * 1024)]);
    const ts = nowSeconds();
    const ok = await verify(["--secret", SECRET, "--payload", "-", "--signature", v1(ts, binary)], { input: binary });
    expect(ok.code, ok.stderr).toBe(0);
    // The same bytes after a round trip through a UTF-8 string are a different body.
    const mangled = Buffer.from(binary.toString("utf8"), "utf8");
    const bad = await verify(["--secret", SECRET, "--payload", "-", "--signature", v1(ts, binary)], { input: mangled });
    expectShortFailure(bad, 1, /mismatch/);
  });
});

describe("fanfare webhooks verify: refusals exit 1 with the reason in one line", () => {
  const ts = nowSeconds();
  const good = hmacHex(`${ts}.`, BODY);
  const cases: Array<[string, string[], RegExp]> = [
    ["wrong digest", ["--signature", `t=${ts},v1=${"ab".repeat(32)}`], /invalid signature \(mismatch\): the signature does not match/],
    ["wrong secret", ["--signature", v1(ts), "--secret", "whsec_wrong"], /\(mismatch\)/],
    ["expired", ["--signature", v1(ts - 1000)], /\(expired\): the signature matches but its timestamp is 17 min old/],
    ["future", ["--signature", v1(ts + 1000)], /\(future_timestamp\): .* (16|17) min in the future/],
    ["tighter tolerance", ["--signature", v1(ts - 100), "--tolerance", "30"], /\(expired\)/],
    ["no t=", ["--signature", `v1=${good}`], /\(no_timestamp\)/],
    ["duplicated t=", ["--signature", `t=1,t=2,v1=${good}`], /\(malformed_signature\): .*two different t=/],
    ["non-hex", ["--signature", `t=${ts},v1=${"g".repeat(64)}`], /\(not_hex\)/],
    ["odd length", ["--signature", `t=${ts},v1=${good.slice(1)}`], /\(odd_length\)/],
    ["empty v1=", ["--signature", `t=${ts},v1=`], /\(malformed_signature\): the v1= signature is empty/],
    ["empty signature", ["--signature", ""], /\(missing_signature\): the signature is empty/],
    ["unicode", ["--signature", "t=☃,v1=🎉"], /\(not_hex\): the v1= signature is not hex \(found U\+1F389\)/],
    ["timestamp differs from t=", ["--signature", v1(ts), "--timestamp", String(ts + 5)], /\(timestamp_mismatch\)/],
    ["100 KB header", ["--signature", "f".repeat(100_000)], /\(wrong_length\)/],
  ];

  it.each(cases)("%s", async (_name, args, pattern) => {
    const r = await verify(["--secret", SECRET, "--payload", bodyFile, ...args]);
    expectShortFailure(r, 1, pattern);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^✗ invalid signature/);
  });

  it("--json prints {valid:false, code, reason} on stdout", async () => {
    const r = await withSecret(v1(ts - 1000), "--json");
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout);
    expect(parsed).toMatchObject({ valid: false, code: "expired", scheme: "v1" });
    expect(parsed.reason).toMatch(/17 min old, beyond the 300 s tolerance/);
    expect(r.stderr).toBe("");
  });
});

describe("fanfare webhooks verify: missing or bad inputs exit 2 with a hint", () => {
  const sig = () => v1(nowSeconds());
  const cases: Array<[string, () => string[], RegExp]> = [
    ["no secret", () => ["--payload", bodyFile, "--signature", sig()], /no signing secret\nhint: .*--secret.*export FANFARE_WEBHOOK_SECRET=/],
    ["empty secret", () => ["--secret", "", "--payload", bodyFile, "--signature", sig()], /no signing secret/],
    ["no payload", () => ["--secret", SECRET, "--signature", sig()], /no payload\nhint: .*--payload -/],
    ["no signature", () => ["--secret", SECRET, "--payload", bodyFile], /no signature\nhint: .*--signature/],
    ["missing file", () => ["--secret", SECRET, "--payload", join(config.dir, "nope.json"), "--signature", sig()], /cannot read the payload file .*nope\.json": no such file/],
    ["directory", () => ["--secret", SECRET, "--payload", join(config.dir, "a-directory"), "--signature", sig()], /it is a directory/],
    ["bad tolerance", () => ["--secret", SECRET, "--payload", bodyFile, "--signature", sig(), "--tolerance", "5m"], /--tolerance must be whole seconds, got "5m"/],
    ["negative tolerance", () => ["--secret", SECRET, "--payload", bodyFile, "--signature", sig(), "--tolerance", "-1"], /--tolerance must be whole seconds/],
    ["bad timestamp", () => ["--secret", SECRET, "--payload", bodyFile, "--signature", sig(), "--timestamp", "noon"], /--timestamp must be unix seconds, got "noon"/],
    ["millisecond timestamp", () => ["--secret", SECRET, "--payload", bodyFile, "--signature", sig(), "--timestamp", String(Date.now())], /looks like milliseconds/],
  ];

  it.each(cases)("%s", async (_name, args, pattern) => {
    const r = await verify(args());
    expectShortFailure(r, 2, pattern);
    expect(r.stdout).toBe("");
  });

  it("names every missing input at once", async () => {
    const none = await verify([]);
    expectShortFailure(none, 2, /^error: missing the signing secret, --payload, --signature\nhint: pass --secret whsec_… \(or export FANFARE_WEBHOOK_SECRET=whsec_…\); --payload FILE .*; --signature with/);
    const two = await verify(["--secret", SECRET]);
    expectShortFailure(two, 2, /^error: missing --payload, --signature\n/);
    const json = await verify(["--json"]);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "missing_inputs", exitCode: 2 } });
  });

  it("with no secret given, uses the stored local secret (the one listen uses) and says so on stderr", async () => {
    const own = tempConfigDir();
    try {
      writeFileSync(join(own.dir, "config.json"), JSON.stringify({ localSecret: SECRET }));
      const r = await verify(["--payload", bodyFile, "--signature", sig()], { env: cleanEnv({ FANFARE_CONFIG_DIR: own.dir }) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^✓ valid signature/);
      expect(r.stderr).toBe("no --secret or FANFARE_WEBHOOK_SECRET: verifying with the stored local secret (the one listen uses)\n");
      // A secret that is given wins over the stored one.
      const given = await verify(["--secret", "whsec_other0123456789", "--payload", bodyFile, "--signature", sig()], {
        env: cleanEnv({ FANFARE_CONFIG_DIR: own.dir }),
      });
      expect(given.code).toBe(1);
      expect(given.stderr).not.toMatch(/stored local secret/);
    } finally {
      own.cleanup();
    }
  });

  it("--json reports usage errors as JSON on stderr", async () => {
    const r = await verify(["--payload", bodyFile, "--signature", sig(), "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: "missing_secret", exitCode: 2 } });
  });

  it("--help shows the flags and examples", async () => {
    const r = await verify(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--payload <file>/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/openssl dgst -sha256 -hmac/);
  });
});

describe("streams on first use", () => {
  // Node builds process.stderr when first asked for; a check that succeeds writes nothing there,
  // so it should never ask (start-up time: bench/startup.mjs).
  async function stderrAsked(signature: string): Promise<{ code: number; asked: number; out: string }> {
    let asked = 0;
    let out = "";
    const sink = (write: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (write(String(chunk)), done()) });
    const stdout = sink((s) => (out += s));
    const stderr = sink(() => {});
    const deps = createDeps({
      stdout,
      get stderr() {
        asked++;
        return stderr;
      },
      env,
    });
    const code = await run(["node", "fanfare", "webhooks", "verify", "--secret", SECRET, "--payload", bodyFile, "--signature", signature], deps);
    return { code, asked, out };
  }

  it("a valid signature never asks for stderr", async () => {
    const r = await stderrAsked(v1(nowSeconds()));
    expect(r.code).toBe(0);
    expect(r.out).toContain("valid signature");
    expect(r.asked).toBe(0);
  });

  it("an invalid one does (where its one line goes)", async () => {
    const r = await stderrAsked(v1(nowSeconds(), "another body"));
    expect(r.code).toBe(1);
    expect(r.asked).toBeGreaterThan(0);
  });
});
