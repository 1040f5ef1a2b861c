import { describe, expect, it } from "vitest";
import { resolveSigningSecret } from "../../src/delivery/signing-secret.js";

describe("resolveSigningSecret (trigger's and check's one order)", () => {
  const env = { FANFARE_WEBHOOK_SECRET: "whsec_env" };

  it("takes --secret, then the running listen's, then FANFARE_WEBHOOK_SECRET, and says which", async () => {
    expect(await resolveSigningSecret({ flag: "whsec_flag", sessionSecret: "whsec_listen", env })).toEqual({ secret: "whsec_flag", source: "flag" });
    expect(await resolveSigningSecret({ sessionSecret: "whsec_listen", env })).toEqual({ secret: "whsec_listen", source: "listen" });
    expect(await resolveSigningSecret({ flag: "", env })).toEqual({ secret: "whsec_env", source: "env" });
  });

  it("is a usage error (exit 2) that says where a secret can come from when there is none", async () => {
    await expect(resolveSigningSecret({ env: {} })).rejects.toMatchObject({
      exitCode: 2,
      code: "missing_secret",
      message: "no signing secret",
      hint: expect.stringContaining("FANFARE_WEBHOOK_SECRET"),
    });
  });
});
