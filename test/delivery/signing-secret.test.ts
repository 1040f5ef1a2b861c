import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSigningSecret } from "../../src/delivery/signing-secret.js";
import { tempConfigDir } from "../helpers/cli.js";

describe("resolveSigningSecret (trigger's and check's one order)", () => {
  const env = { FANFARE_WEBHOOK_SECRET: "whsec_env" };

  it("takes --secret, then the running listen's, then FANFARE_WEBHOOK_SECRET, and says which", async () => {
    expect(await resolveSigningSecret({ flag: "whsec_flag", sessionSecret: "whsec_listen", env })).toEqual({ secret: "whsec_flag", source: "flag" });
    expect(await resolveSigningSecret({ sessionSecret: "whsec_listen", env })).toEqual({ secret: "whsec_listen", source: "listen" });
    expect(await resolveSigningSecret({ flag: "", env })).toEqual({ secret: "whsec_env", source: "env" });
  });

  it("then the stored local secret (listen's); with none, a usage error (exit 2) saying where one can come from", async () => {
    const config = tempConfigDir();
    try {
      const empty = { FANFARE_CONFIG_DIR: config.dir };
      await expect(resolveSigningSecret({ env: empty })).rejects.toMatchObject({
        exitCode: 2,
        code: "missing_secret",
        message: "no signing secret",
        hint: expect.stringContaining("FANFARE_WEBHOOK_SECRET"),
      });
      writeFileSync(join(config.dir, "config.json"), JSON.stringify({ localSecret: "whsec_storedLocalSecret0123" }));
      expect(await resolveSigningSecret({ env: empty })).toEqual({ secret: "whsec_storedLocalSecret0123", source: "stored" });
      expect(await resolveSigningSecret({ env: { ...empty, FANFARE_WEBHOOK_SECRET: "whsec_env" } })).toMatchObject({ source: "env" });
    } finally {
      config.cleanup();
    }
  });
});
