import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { deliveryHeaders, receivedSignature } from "../../src/signing/headers.js";
import { assertSecretFitsScheme, standardSecretKey } from "../../src/signing/options.js";
import { signPayload, verifySignature, type VerifyInput, type VerifyResult } from "../../src/signing/signature.js";
import { expectUsageError } from "../helpers/errors.js";

// The Standard Webhooks scheme checked against the `standardwebhooks` library itself: what fanfare
// signs, the library accepts; what the library signs, fanfare's verify accepts.

const SECRET = "whsec_MfKQ9r8GKYqrTz3P0bEGfVqKjL2mNoPq";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const BODY = '{"id":"whk_01J0000000000000000000000","type":"draw.consumer.won","data":{"amount":"149.99"}}';
const nowSeconds = () => Math.floor(Date.now() / 1000);

function libSign(id: string, ts: number, body: string, secret = SECRET): string {
  return new Webhook(secret).sign(id, new Date(ts * 1000), body);
}

function verify(overrides: Partial<VerifyInput>): VerifyResult {
  const ts = nowSeconds();
  return verifySignature({
    secret: SECRET,
    payload: BODY,
    signature: libSign(ID, ts, BODY),
    id: ID,
    timestamp: ts,
    now: ts,
    ...overrides,
  });
}

function expectInvalid(result: VerifyResult, code: string): string {
  expect(result.valid).toBe(false);
  if (result.valid) throw new Error("unreachable");
  expect(result.code).toBe(code);
  expect(result.reason).not.toMatch(/\n/);
  return result.reason;
}

describe("signing in the standard scheme", () => {
  it("signs `${id}.${ts}.${body}` keyed with the decoded secret, exactly as the library does", () => {
    const ts = 1_718_000_000;
    const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`${ID}.${ts}.${BODY}`).digest("base64");
    expect(signPayload(SECRET, BODY, "standard", ts, ID)).toBe(`v1,${expected}`);
    expect(signPayload(SECRET, BODY, "standard", ts, ID)).toBe(libSign(ID, ts, BODY));
  });

  it("puts id, timestamp and signature in the webhook-* headers, and the library verifies them", () => {
    const ts = nowSeconds();
    const headers = deliveryHeaders({
      eventType: "draw.consumer.won",
      deliveryId: ID,
      timestamp: ts,
      signature: signPayload(SECRET, BODY, "standard", ts, ID),
      scheme: "standard",
    });
    expect(Object.keys(headers)).toEqual([
      "content-type",
      "user-agent",
      "x-fanfare-event-type",
      "webhook-id",
      "webhook-timestamp",
      "webhook-signature",
    ]);
    expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    // Without a scheme, the v1,… form says which headers it belongs in.
    const detected = deliveryHeaders({ eventType: "e", deliveryId: ID, timestamp: ts, signature: headers["webhook-signature"]! });
    expect(detected["webhook-signature"]).toBe(headers["webhook-signature"]);
    expect(detected["x-fanfare-signature"]).toBeUndefined();
  });

  it("signs bytes as bytes, as the library signs their text", () => {
    const body = Buffer.from('{"name":"Zoë — ✓"}');
    const ts = nowSeconds();
    const headers = { "webhook-id": ID, "webhook-timestamp": String(ts), "webhook-signature": signPayload(SECRET, body, "standard", ts, ID) };
    expect(new Webhook(SECRET).verify(body.toString("utf8"), headers)).toEqual({ name: "Zoë — ✓" });
  });

  it("takes the secret without its whsec_ prefix too, as the library does", () => {
    const ts = 1_718_000_000;
    expect(signPayload(SECRET.slice(6), BODY, "standard", ts, ID)).toBe(libSign(ID, ts, BODY));
  });

  it("refuses a secret that is not base64 with a usage error (exit 2) that says how to make one", () => {
    for (const bad of ["whsec_not*base64!", "whsec_abc", "whsec_", "whsec_MfKQ9r8GKYqrTz3P0bEGfVqKjL2mNoP-"]) {
      expect(standardSecretKey(bad)).toBeUndefined();
      const error = expectUsageError(() => assertSecretFitsScheme(bad, "standard"));
      expect(error.message).toMatch(/not valid base64 for --scheme standard/);
      expect(error.hint).toMatch(/openssl rand -base64/);
      expectUsageError(() => signPayload(bad, BODY, "standard", 1, ID));
    }
    // The other schemes key with the whole string, whatever it is.
    expect(() => assertSecretFitsScheme("whsec_not*base64!", "v1")).not.toThrow();
  });

  it("takes only secrets the library takes (it is laxer about stray padding, so not the converse)", () => {
    for (const secret of ["whsec_QUJD", "whsec_QUI=", "whsec_QQ==", "QUJD", "whsec_QUJ", "whsec_Q===", "whsec_QUJD=", "whsec_ QUJD"]) {
      let library = true;
      try {
        new Webhook(secret);
      } catch {
        library = false;
      }
      const ours = standardSecretKey(secret) !== undefined;
      if (ours) expect([secret, library]).toEqual([secret, true]);
      if (!secret.endsWith("D=")) expect([secret, ours]).toEqual([secret, library]);
    }
  });
});

describe("verifying the standard scheme", () => {
  it("accepts what the library signs, detected from the v1, form", () => {
    const result = verify({});
    expect(result).toMatchObject({ valid: true, scheme: "standard", timestampChecked: true });
  });

  it("accepts several space-separated signatures when one matches (rotation), and skips other versions", () => {
    const ts = nowSeconds();
    const good = libSign(ID, ts, BODY);
    const other = libSign(ID, ts, BODY, "whsec_b3RoZXJzZWNyZXRvdGhlcnNlY3JldA==");
    expect(verify({ signature: `${other} ${good}`, timestamp: ts, now: ts }).valid).toBe(true);
    expect(verify({ signature: `v1a,${"A".repeat(86)}== ${good}`, timestamp: ts, now: ts }).valid).toBe(true);
    expect(verify({ signature: `v1,bad ${good}`, timestamp: ts, now: ts }).valid).toBe(true);
    // Node joins a repeated header into an array.
    expect(verify({ signature: [other, good], timestamp: ts, now: ts }).valid).toBe(true);
  });

  it("reads webhook-* headers of a received delivery", () => {
    const ts = nowSeconds();
    const headers = { "webhook-id": ID, "webhook-timestamp": String(ts), "webhook-signature": libSign(ID, ts, BODY) };
    const received = receivedSignature(headers);
    expect(received).toEqual({ signature: headers["webhook-signature"], timestamp: String(ts), id: ID, header: "webhook-signature" });
    expect(verifySignature({ secret: SECRET, payload: BODY, ...received, now: ts }).valid).toBe(true);
  });

  const ts = 1_718_000_000;
  const good = libSign(ID, ts, BODY);
  const cases: Array<[string, Partial<VerifyInput>, string, RegExp?]> = [
    ["another body", { payload: BODY + " " }, "mismatch"],
    ["another id", { id: "msg_other" }, "mismatch"],
    ["another secret", { secret: "whsec_b3RoZXJzZWNyZXRvdGhlcnNlY3JldA==" }, "mismatch"],
    ["another timestamp", { timestamp: ts + 1 }, "mismatch"],
    ["every signature wrong", { signature: `v1,${"A".repeat(43)}= v1,${"B".repeat(43)}=` }, "mismatch", /none of the 2/],
    ["old", { now: ts + 301 }, "expired"],
    ["ahead", { now: ts - 301 }, "future_timestamp"],
    ["no id", { id: undefined }, "no_id", /webhook-id/],
    ["no timestamp", { timestamp: undefined }, "no_timestamp", /webhook-timestamp/],
    ["milliseconds", { timestamp: `${ts}000` }, "malformed_timestamp", /milliseconds/],
    ["not base64", { signature: "v1,abc*def" }, "not_base64", /"\*"/],
    ["not a multiple of 4", { signature: "v1,abcdef" }, "not_base64", /multiple of 4/],
    ["too short", { signature: "v1,QUJD" }, "wrong_length", /3 bytes/],
    ["empty", { signature: "v1," }, "malformed_signature", /empty/],
    ["only other versions", { signature: `v1a,${good.slice(3)}` }, "malformed_signature", /no v1,/],
    ["secret not base64", { secret: "whsec_not*base64" }, "invalid_secret", /base64/],
    ["expected v1, got standard", { scheme: "v1" }, "malformed_signature", /expected a v1 signature/],
    ["expected standard, got v1", { scheme: "standard", signature: `t=${ts},v1=${"a".repeat(64)}` }, "malformed_signature", /v1,<base64>/],
  ];

  it.each(cases)("refuses: %s", (_name, overrides, code, reason) => {
    const text = expectInvalid(verify({ signature: good, timestamp: ts, now: ts, ...overrides }), code);
    if (reason) expect(text).toMatch(reason);
  });
});
