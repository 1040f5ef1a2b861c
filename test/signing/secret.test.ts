import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { standardSecretKey } from "../../src/signing/options.js";
import { generateSecret, SECRET_PREFIX } from "../../src/signing/secret.js";

describe("generateSecret", () => {
  it("has the whsec_<base64> form of the docs and 192 bits of randomness", () => {
    const secret = generateSecret();
    expect(SECRET_PREFIX).toBe("whsec_");
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
  });

  it("is usable in the standard scheme: the standardwebhooks library takes it as it is", () => {
    for (let i = 0; i < 200; i++) {
      const secret = generateSecret();
      expect(standardSecretKey(secret)).toHaveLength(24);
      expect(() => new Webhook(secret)).not.toThrow();
    }
  });

  it("never repeats", () => {
    const secrets = new Set(Array.from({ length: 1000 }, generateSecret));
    expect(secrets.size).toBe(1000);
  });
});
