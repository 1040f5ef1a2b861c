import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_TOLERANCE_SECONDS, isSignatureScheme, parseSignatureScheme, SECRET_ENV } from "../../src/signing/options.js";
import {
  computeDigest,
  formatSpan,
  parseSignatureHeader,
  signPayload,
  verifySignature,
  type VerifyInput,
  type VerifyResult,
} from "../../src/signing/signature.js";

const SECRET = "whsec_MfKQ9r8GKYqrTz3P0bEGfVqKjL2mNoPq";
const BODY = '{"id":"whk_01J0000000000000000000000","type":"draw.consumer.won","data":{"amount":"149.99"}}';
const TS = 1_718_000_000;
const NOW = TS + 12;

// Written out here, apart from the module under test, so a bug in computeDigest can't hide itself.
function hmacHex(key: string, ...parts: Array<string | Buffer>): string {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

function verify(overrides: Partial<VerifyInput>): VerifyResult {
  return verifySignature({ secret: SECRET, payload: BODY, signature: "", now: NOW, ...overrides });
}

function expectInvalid(result: VerifyResult, code: string): string {
  expect(result.valid).toBe(false);
  if (result.valid) throw new Error("unreachable");
  expect(result.code).toBe(code);
  expect(result.reason).toMatch(/\S/);
  expect(result.reason).not.toMatch(/\n/);
  return result.reason;
}

const v1Hex = hmacHex(SECRET, `${TS}.${BODY}`);
const v1Header = `t=${TS},v1=${v1Hex}`;
const bodyHex = hmacHex(SECRET, BODY);

describe("signPayload and computeDigest against independently computed vectors", () => {
  it("v1 signs `${ts}.${body}` and formats t=…,v1=…", () => {
    expect(computeDigest(SECRET, BODY, "v1", TS)).toBe(v1Hex);
    expect(signPayload(SECRET, BODY, "v1", TS)).toBe(v1Header);
  });

  it("sha256 signs the raw body and prefixes sha256=", () => {
    expect(signPayload(SECRET, BODY, "sha256", TS)).toBe(`sha256=${bodyHex}`);
  });

  it("hex is the bare digest of the raw body", () => {
    expect(signPayload(SECRET, BODY, "hex", TS)).toBe(bodyHex);
  });

  it("signs bytes as bytes, not as their UTF-8 reading", () => {
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28]);
    const expected = hmacHex(SECRET, Buffer.from(`${TS}.`), binary);
    expect(computeDigest(SECRET, binary, "v1", TS)).toBe(expected);
    // The lossy string reading of those bytes gives a different digest: the distinction matters.
    expect(computeDigest(SECRET, binary.toString("utf8"), "v1", TS)).not.toBe(expected);
    expect(computeDigest(SECRET, binary, "hex", TS)).toBe(hmacHex(SECRET, binary));
  });

  it("keys the HMAC with the whole secret string, whsec_ prefix included", () => {
    const withoutPrefix = hmacHex(SECRET.slice("whsec_".length), `${TS}.${BODY}`);
    expect(computeDigest(SECRET, BODY, "v1", TS)).not.toBe(withoutPrefix);
    // Keys change between calls (the module keeps the last one): each must still be right.
    expect(computeDigest("whsec_other", BODY, "hex")).toBe(hmacHex("whsec_other", BODY));
    expect(computeDigest(SECRET, BODY, "hex")).toBe(bodyHex);
  });

  const openssl = spawnSync("openssl", ["version"], { encoding: "utf8" });
  it.skipIf(openssl.status !== 0)("matches `openssl dgst -sha256 -hmac` for v1 and the raw body", () => {
    const run = (input: string) => {
      const r = spawnSync("openssl", ["dgst", "-sha256", "-hmac", SECRET, "-r"], { input, encoding: "utf8" });
      expect(r.status).toBe(0);
      return r.stdout.split(" ")[0]!.trim();
    };
    expect(signPayload(SECRET, BODY, "v1", TS)).toBe(`t=${TS},v1=${run(`${TS}.${BODY}`)}`);
    expect(signPayload(SECRET, BODY, "sha256", TS)).toBe(`sha256=${run(BODY)}`);
  });

  it("knows its schemes", () => {
    expect(isSignatureScheme("v1")).toBe(true);
    expect(isSignatureScheme("sha256")).toBe(true);
    expect(isSignatureScheme("hex")).toBe(true);
    expect(isSignatureScheme("md5")).toBe(false);
  });

  it("parses --scheme into a scheme or a usage error naming them all", () => {
    expect(parseSignatureScheme("sha256")).toBe("sha256");
    expect(() => parseSignatureScheme("v2")).toThrowError(
      expect.objectContaining({ exitCode: 2, code: "invalid_scheme", message: 'unknown signature scheme "v2"' }),
    );
    expect(SECRET_ENV).toBe("FANFARE_WEBHOOK_SECRET");
  });

  it("keeps the names flags and help need where loading them costs no node:crypto", () => {
    const imports = (file: string) =>
      [...readFileSync(new URL(`../../src/${file}`, import.meta.url), "utf8").matchAll(/from\s*["']([^"']+)["']/g)].map((m) => m[1]);
    expect(imports("signing/options.ts")).toEqual(["../errors.js"]);
    expect(imports("errors.ts")).toEqual([]);
  });
});

describe("verifySignature accepts", () => {
  it("a v1 header, reporting its age", () => {
    expect(verify({ signature: v1Header })).toEqual({
      valid: true,
      scheme: "v1",
      timestamp: TS,
      age: 12,
      timestampChecked: true,
    });
  });

  it("a sha256= header and a bare hex header", () => {
    expect(verify({ signature: `sha256=${bodyHex}` })).toMatchObject({ valid: true, scheme: "sha256" });
    expect(verify({ signature: bodyHex })).toMatchObject({ valid: true, scheme: "hex", timestampChecked: false });
  });

  it("uppercase hex, uppercase keys and whitespace around the parts", () => {
    expect(verify({ signature: `t=${TS},v1=${v1Hex.toUpperCase()}` }).valid).toBe(true);
    expect(verify({ signature: `T=${TS}, V1=${v1Hex}` }).valid).toBe(true);
    expect(verify({ signature: `SHA256=${bodyHex.toUpperCase()}` }).valid).toBe(true);
    expect(verify({ signature: `  ${bodyHex.toUpperCase()}\t\n` }).valid).toBe(true);
    expect(verify({ signature: ` t = ${TS} ,  v1 = ${v1Hex} ` }).valid).toBe(true);
  });

  it("several v1 values when any one matches (secret rotation), in any position", () => {
    const wrong = hmacHex("whsec_old", `${TS}.${BODY}`);
    expect(verify({ signature: `t=${TS},v1=${wrong},v1=${v1Hex}` })).toMatchObject({ valid: true });
    expect(verify({ signature: `t=${TS},v1=${v1Hex},v1=${wrong}` })).toMatchObject({ valid: true });
    // A malformed entry beside the good one is skipped rather than failing the header.
    expect(verify({ signature: `t=${TS},v1=nothex,v1=${v1Hex}` })).toMatchObject({ valid: true });
  });

  it("unknown keys (v0, future schemes) beside v1, and a repeated identical t=", () => {
    expect(verify({ signature: `t=${TS},v0=abc,v1=${v1Hex},x=1` }).valid).toBe(true);
    expect(verify({ signature: `t=${TS},t=${TS},v1=${v1Hex}` }).valid).toBe(true);
  });

  it("a header node joined from two deliveries' values, or given as an array", () => {
    expect(verify({ signature: `t=${TS},v1=${"0".repeat(64)}, t=${TS},v1=${v1Hex}` }).valid).toBe(true);
    expect(verify({ signature: [`t=${TS}`, `v1=${v1Hex}`] }).valid).toBe(true);
  });

  it("a binary body given as bytes", () => {
    const binary = randomBytes(4096);
    const sig = `t=${TS},v1=${hmacHex(SECRET, Buffer.from(`${TS}.`), binary)}`;
    expect(verify({ payload: binary, signature: sig }).valid).toBe(true);
    expect(verify({ payload: new Uint8Array(binary), signature: sig }).valid).toBe(true);
  });

  it("a v1 value with no t= when the X-Fanfare-Timestamp supplies it", () => {
    expect(verify({ signature: `v1=${v1Hex}`, timestamp: String(TS) })).toMatchObject({ valid: true, timestamp: TS });
    expect(verify({ signature: `v1=${v1Hex}`, timestamp: TS })).toMatchObject({ valid: true, timestamp: TS });
  });

  it("an X-Fanfare-Timestamp equal to t=, and checks sha256/hex ages against it", () => {
    expect(verify({ signature: v1Header, timestamp: ` ${TS} ` }).valid).toBe(true);
    expect(verify({ signature: bodyHex, timestamp: TS })).toMatchObject({ valid: true, age: 12, timestampChecked: true });
    expectInvalid(verify({ signature: `sha256=${bodyHex}`, timestamp: TS - 1000 }), "expired");
  });

  it("a t= with leading zeros, signed as the sender wrote it", () => {
    const padded = `00${TS}`;
    const sig = `t=${padded},v1=${hmacHex(SECRET, `${padded}.${BODY}`)}`;
    expect(verify({ signature: sig })).toMatchObject({ valid: true, timestamp: TS, age: 12 });
    expect(verify({ signature: ` ${sig} ` })).toMatchObject({ valid: true, timestamp: TS });
    // Read as a number and re-written, the timestamp would be a different signed string.
    expectInvalid(verify({ signature: `t=${padded},v1=${v1Hex}` }), "mismatch");
  });

  it("an empty body", () => {
    const sig = `t=${TS},v1=${hmacHex(SECRET, `${TS}.`)}`;
    expect(verify({ payload: "", signature: sig }).valid).toBe(true);
    expect(verify({ payload: Buffer.alloc(0), signature: sig }).valid).toBe(true);
  });
});

describe("timestamp tolerance", () => {
  const at = (age: number, tolerance?: number) =>
    verify({ signature: signPayload(SECRET, BODY, "v1", TS), now: TS + age, tolerance });

  it("defaults to 300 s", () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
  });

  it("accepts exactly 300 s either way and refuses 301 s", () => {
    expect(at(300).valid).toBe(true);
    expect(at(-300).valid).toBe(true);
    expect(expectInvalid(at(301), "expired")).toContain("301 s old");
    expect(expectInvalid(at(-301), "future_timestamp")).toContain("301 s in the future");
  });

  it("says a long age in the largest sensible unit", () => {
    expect(expectInvalid(at(78_036_496), "expired")).toContain("timestamp is 2.5 years old, beyond the 300 s tolerance");
    expect(expectInvalid(at(-4 * 86_400), "future_timestamp")).toContain("4 days in the future");
    expect([599, 600, 7_199, 7_200, 86_400 * 2 - 1, 86_400 * 2, 86_400 * 800].map(formatSpan)).toEqual([
      "599 s",
      "10 min",
      "120 min",
      "2 h",
      "48 h",
      "2 days",
      "2.2 years",
    ]);
  });

  it("uses the tolerance it is given", () => {
    expect(at(59, 60).valid).toBe(true);
    expectInvalid(at(61, 60), "expired");
    expectInvalid(at(-61, 60), "future_timestamp");
  });

  it("0 turns the check off in both directions", () => {
    expect(at(1_000_000, 0)).toMatchObject({ valid: true, age: 1_000_000, timestampChecked: false });
    expect(at(-1_000_000, 0)).toMatchObject({ valid: true, timestampChecked: false });
  });

  it("a nonsense tolerance falls back to the default instead of silently disabling the check", () => {
    expectInvalid(at(301, Number.NaN), "expired");
    expectInvalid(at(301, -5), "expired");
  });

  it("reports a mismatch, not the age, when the signature is also wrong", () => {
    expectInvalid(verify({ signature: `t=${TS},v1=${"a".repeat(64)}`, now: TS + 10_000 }), "mismatch");
  });
});

describe("verifySignature refuses, naming the reason", () => {
  const cases: Array<[string, Partial<VerifyInput>, string, RegExp?]> = [
    ["wrong secret", { secret: "whsec_wrong", signature: v1Header }, "mismatch"],
    ["changed body", { payload: BODY + " ", signature: v1Header }, "mismatch"],
    ["changed t=", { signature: `t=${TS + 1},v1=${v1Hex}` }, "mismatch"],
    ["v1 digest of the body without the timestamp", { signature: `t=${TS},v1=${bodyHex}` }, "mismatch"],
    ["every v1 wrong", { signature: `t=${TS},v1=${"1".repeat(64)},v1=${"2".repeat(64)}` }, "mismatch", /none of the 2/],
    ["sha256 of another body", { signature: `sha256=${hmacHex(SECRET, "{}")}` }, "mismatch"],
    ["no secret", { secret: "", signature: v1Header }, "missing_secret"],
    ["empty header", { signature: "" }, "missing_signature"],
    ["whitespace header", { signature: " \t\n " }, "missing_signature"],
    ["undefined header", { signature: undefined }, "missing_signature"],
    ["non-hex bare header", { signature: "z".repeat(64) }, "not_hex", /"z"/],
    ["unicode in the digest", { signature: `t=${TS},v1=${"é".repeat(64)}` }, "not_hex", /U\+00E9/],
    ["NUL bytes in the digest", { signature: `t=${TS},v1=${"\0".repeat(64)}` }, "not_hex", /U\+0000/],
    ["odd length", { signature: "abc" }, "odd_length", /3 hex characters/],
    ["odd length v1", { signature: `t=${TS},v1=${v1Hex.slice(1)}` }, "odd_length", /63/],
    ["short even hex", { signature: `sha256=${bodyHex.slice(2)}` }, "wrong_length", /62 hex/],
    ["too long hex", { signature: bodyHex + "00" }, "wrong_length"],
    ["empty v1=", { signature: `t=${TS},v1=` }, "malformed_signature", /empty/],
    ["empty sha256=", { signature: "sha256=" }, "malformed_signature", /empty/],
    ["no v1=", { signature: `t=${TS}` }, "malformed_signature", /no v1=/],
    ["no v1= but another key", { signature: `t=${TS},v2=${v1Hex}` }, "malformed_signature"],
    ["not key=value", { signature: `t=${TS},${v1Hex}` }, "malformed_signature", /key=value/],
    ["leading =", { signature: `=${v1Hex}` }, "malformed_signature"],
    ["duplicated different t=", { signature: `t=1,t=2,v1=${v1Hex}` }, "malformed_signature", /two different t=/],
    ["no timestamp at all", { signature: `v1=${v1Hex}` }, "no_timestamp"],
    ["empty t=", { signature: `t=,v1=${v1Hex}` }, "malformed_timestamp"],
    ["non-numeric t=", { signature: `t=yesterday,v1=${v1Hex}` }, "malformed_timestamp"],
    ["negative t=", { signature: `t=-5,v1=${v1Hex}` }, "malformed_timestamp"],
    ["milliseconds t=", { signature: `t=${TS}000,v1=${v1Hex}` }, "malformed_timestamp", /milliseconds/],
    ["non-numeric X-Fanfare-Timestamp", { signature: v1Header, timestamp: "soon" }, "malformed_timestamp"],
    ["X-Fanfare-Timestamp differs from t=", { signature: v1Header, timestamp: TS + 1 }, "timestamp_mismatch", /differs/],
    ["expired", { signature: v1Header, now: TS + 301 }, "expired"],
    ["future", { signature: v1Header, now: TS - 301 }, "future_timestamp"],
  ];

  it.each(cases)("%s", (_name, input, code, reason) => {
    const text = expectInvalid(verify(input), code);
    if (reason) expect(text).toMatch(reason);
  });

  it("huge headers and bodies (10 MB) without throwing, with short reasons", () => {
    const huge = "a".repeat(10 * 1024 * 1024);
    const hugeBody = Buffer.alloc(10 * 1024 * 1024, 0x7b);
    expect(expectInvalid(verify({ signature: huge }), "wrong_length").length).toBeLessThan(200);
    expect(expectInvalid(verify({ signature: `t=${huge},v1=${v1Hex}` }), "malformed_timestamp").length).toBeLessThan(200);
    expect(expectInvalid(verify({ signature: `t=${TS},v1=${huge}x` }), "not_hex").length).toBeLessThan(200);
    // Built with repeat(): a regex replace over 10 MB took seconds and proved nothing more.
    expect(expectInvalid(verify({ signature: ",".repeat(huge.length) }), "not_hex").length).toBeLessThan(200);
    const sig = `t=${TS},v1=${hmacHex(SECRET, Buffer.from(`${TS}.`), hugeBody)}`;
    expect(verify({ payload: hugeBody, signature: sig }).valid).toBe(true);
    expectInvalid(verify({ payload: hugeBody, signature: v1Header }), "mismatch");
  });

  it("inputs of the wrong type from a JavaScript caller", () => {
    const loose = verifySignature as (input: unknown) => VerifyResult;
    expectInvalid(loose({ secret: 42, payload: BODY, signature: v1Header, now: NOW }), "missing_secret");
    expectInvalid(loose({ secret: SECRET, payload: { a: 1 }, signature: v1Header, now: NOW }), "invalid_input");
    expectInvalid(loose({ secret: SECRET, payload: BODY, signature: 12345, now: NOW }), "missing_signature");
    expect(loose({ secret: SECRET, payload: BODY, signature: v1Header, timestamp: null, now: NOW }).valid).toBe(true);
  });

  it("never throws on random bytes as headers, alone or after a valid prefix", () => {
    const codes = new Set<string>();
    // One assertion at the end rather than three per input: 36,000 expect() calls took seconds, and
    // the list names the inputs that went wrong, so a random failure can be reproduced.
    const problems: Array<{ signature: string; timestamp?: string; problem: string }> = [];
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(Math.floor(Math.random() * 140));
      const variants = [
        bytes.toString("latin1"),
        bytes.toString("utf8"),
        `t=${TS},v1=${bytes.toString("latin1")}`,
        `t=${bytes.toString("utf8")},v1=${v1Hex}`,
        `sha256=${bytes.toString("latin1")}`,
        bytes.toString("hex"),
      ];
      const timestamp = i % 3 === 0 ? bytes.toString("latin1") : undefined;
      for (const signature of variants) {
        let result: VerifyResult;
        try {
          result = verify({ signature, timestamp });
        } catch (error) {
          problems.push({ signature, timestamp, problem: `threw ${String(error)}` });
          continue;
        }
        if (result.valid) problems.push({ signature, timestamp, problem: "accepted" });
        else {
          codes.add(result.code);
          if (/\n/.test(result.reason)) problems.push({ signature, timestamp, problem: `reason has a newline: ${result.reason}` });
        }
      }
    }
    expect(problems).toEqual([]);
    // The loop must have exercised several different refusals, not one path 12,000 times.
    expect(codes.size).toBeGreaterThanOrEqual(5);
  });
});

describe("the canonical t=…,v1=… shortcut agrees with the general parser", () => {
  // Surrounding whitespace, or a trailing comma, sends a header through the general parser instead.
  it("on random valid, tampered and malformed canonical headers", () => {
    // Collected and asserted once, naming the headers that disagree (see the random-bytes test above).
    const problems: Array<{ header: string; body: string; problem: string }> = [];
    for (let i = 0; i < 500; i++) {
      const ts = Math.floor(Math.random() * 10 ** (1 + (i % 12)));
      const body = randomBytes(i % 50).toString("base64");
      let digest = hmacHex(SECRET, `${ts}.${body}`);
      if (i % 4 === 1) digest = digest.slice(0, 10) + (digest[10] === "0" ? "1" : "0") + digest.slice(11);
      if (i % 4 === 2) digest = digest.toUpperCase();
      if (i % 8 === 3) digest = digest.slice(0, 63) + "g";
      if (i % 8 === 7) digest = digest.slice(0, 63);
      const header = `t=${ts},v1=${digest}`;
      const input = { payload: body, now: ts, tolerance: 0 };
      const fast = verify({ ...input, signature: header });
      const padded = verify({ ...input, signature: ` ${header} ` });
      const trailingComma = verify({ ...input, signature: `${header},` });
      if (!isDeepStrictEqual(padded, fast)) problems.push({ header, body, problem: `padded: ${JSON.stringify(padded)} vs ${JSON.stringify(fast)}` });
      if (!isDeepStrictEqual(trailingComma, fast)) problems.push({ header, body, problem: `trailing comma: ${JSON.stringify(trailingComma)} vs ${JSON.stringify(fast)}` });
      if (fast.valid !== (i % 4 === 0 || i % 4 === 2)) problems.push({ header, body, problem: `valid: ${fast.valid}` });
    }
    expect(problems).toEqual([]);
  });
});

describe("parseSignatureHeader", () => {
  it("detects the scheme and lower-cases digests", () => {
    expect(parseSignatureHeader(`t=${TS},v1=${v1Hex.toUpperCase()}`)).toEqual({
      ok: true,
      value: { scheme: "v1", timestamp: TS, digests: [v1Hex] },
    });
    expect(parseSignatureHeader(`sha256=${bodyHex}`)).toEqual({ ok: true, value: { scheme: "sha256", digests: [bodyHex] } });
    expect(parseSignatureHeader(bodyHex)).toEqual({ ok: true, value: { scheme: "hex", digests: [bodyHex] } });
  });

  it("keeps every well-formed v1 digest in order", () => {
    const parsed = parseSignatureHeader(`t=1,v1=${"a".repeat(64)},v1=bad,v1=${"b".repeat(64)}`);
    expect(parsed).toEqual({ ok: true, value: { scheme: "v1", timestamp: 1, digests: ["a".repeat(64), "b".repeat(64)] } });
  });
});
