import { describe, expect, it, vi } from "vitest";

// Wrap node:crypto's timingSafeEqual so the test sees every comparison the module makes. This file
// holds nothing else, so the wrapper cannot change what other tests observe.
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const crypto = await import("node:crypto");
const { signPayload, verifySignature } = await import("../../src/signing/signature.js");

const SECRET = "whsec_constant_time";
const BODY = '{"id":"whk_1"}';
const TS = 1_718_000_000;

describe("digest comparison", () => {
  it("goes through crypto.timingSafeEqual with two 32-byte buffers", () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    expect(verifySignature({ secret: SECRET, payload: BODY, signature: signPayload(SECRET, BODY, "v1", TS), now: TS }).valid).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    const [a, b] = spy.mock.calls[0]! as [Buffer, Buffer];
    expect(a).toHaveLength(32);
    expect(b).toHaveLength(32);
  });

  it("is the deciding check: when it says no, the signature is refused", () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    spy.mockReturnValueOnce(false);
    const result = verifySignature({ secret: SECRET, payload: BODY, signature: signPayload(SECRET, BODY, "hex", TS), now: TS });
    expect(result).toMatchObject({ valid: false, code: "mismatch" });
  });

  it("compares every v1 candidate, not stopping at the first match", () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const good = signPayload(SECRET, BODY, "v1", TS).split("v1=")[1];
    const header = `t=${TS},v1=${good},v1=${"0".repeat(64)},v1=${"1".repeat(64)}`;
    expect(verifySignature({ secret: SECRET, payload: BODY, signature: header, now: TS }).valid).toBe(true);
    expect(spy).toHaveBeenCalledTimes(3);
  });
});
