import { describe, expect, it } from "vitest";
import { generateSecret, SECRET_PREFIX } from "../../src/signing/secret.js";

describe("generateSecret", () => {
  it("has the whsec_ form of the docs and 192 bits of URL-safe randomness", () => {
    const secret = generateSecret();
    expect(SECRET_PREFIX).toBe("whsec_");
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(secret.slice(6), "base64url")).toHaveLength(24);
  });

  it("never repeats", () => {
    const secrets = new Set(Array.from({ length: 1000 }, generateSecret));
    expect(secrets.size).toBe(1000);
  });
});
