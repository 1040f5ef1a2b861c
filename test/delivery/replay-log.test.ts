import { describe, expect, it } from "vitest";
import { recordedScheme } from "../../src/delivery/replay-log.js";
import { signPayload } from "../../src/signing/signature.js";

const SECRET = "whsec_cmVwbGF5TG9nVGVzdFNlY3JldDAxMjM0NTY3";
const BODY = '{"type":"order.created"}';

describe("recordedScheme (read by the signing layer's one header parser)", () => {
  it("names the scheme of each form, in either header set; v1 when nothing was signed", () => {
    const ts = 1_700_000_000;
    expect(recordedScheme({})).toEqual({ ok: true, scheme: "v1" });
    expect(recordedScheme({ "x-fanfare-signature": "  " })).toEqual({ ok: true, scheme: "v1" });
    for (const scheme of ["v1", "sha256", "hex"] as const) {
      expect(recordedScheme({ "x-fanfare-signature": signPayload(SECRET, BODY, scheme, ts) })).toEqual({ ok: true, scheme });
    }
    const standard = signPayload(SECRET, BODY, "standard", ts, "whk_1");
    expect(recordedScheme({ "webhook-id": "whk_1", "webhook-timestamp": String(ts), "webhook-signature": standard })).toEqual({
      ok: true,
      scheme: "standard",
    });
    // Upper-case hex and a sha256= prefix in capitals are still the same schemes.
    expect(recordedScheme({ "x-fanfare-signature": "A".repeat(64) })).toEqual({ ok: true, scheme: "hex" });
    expect(recordedScheme({ "x-fanfare-signature": `SHA256=${"b".repeat(64)}` })).toEqual({ ok: true, scheme: "sha256" });
  });

  it("a malformed recorded signature is reported with the header it came from and the parser's reason, never guessed", () => {
    const short = recordedScheme({ "x-fanfare-signature": "abc123" });
    expect(short).toMatchObject({ ok: false, header: "X-Fanfare-Signature" });
    expect(!short.ok && short.reason).toMatch(/64 hex/);
    // Was taken for v1 before: a foreign key=value list with no v1= is not a v1 signature.
    expect(recordedScheme({ "x-fanfare-signature": "t=1700000000,v0=abc" })).toMatchObject({ ok: false, header: "X-Fanfare-Signature" });
    const standard = recordedScheme({ "webhook-id": "whk_1", "webhook-signature": "v1,not-base64!" });
    expect(standard).toMatchObject({ ok: false, header: "webhook-signature", reason: expect.stringMatching(/not base64/) });
  });
});
