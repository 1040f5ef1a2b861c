import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveTarget } from "../../src/delivery/target.js";

/** A config folder that does not exist: no listen session is running there. */
const NO_SESSION_ENV = { FANFARE_CONFIG_DIR: join(tmpdir(), `fanfare-no-session-${process.pid}`) };

describe("resolveTarget", () => {
  it("uses --forward-to, read by the one target parser (a bare number is a port here)", async () => {
    expect(await resolveTarget({ forwardTo: "localhost:3000/webhooks", env: NO_SESSION_ENV })).toEqual({
      url: new URL("http://localhost:3000/webhooks"),
      source: "forward-to",
    });
    expect((await resolveTarget({ forwardTo: "3000", env: NO_SESSION_ENV })).url.href).toBe("http://localhost:3000/");
    await expect(resolveTarget({ forwardTo: "ftp://x", env: NO_SESSION_ENV })).rejects.toMatchObject({
      exitCode: 2,
      message: '--forward-to "ftp://x" is not an http(s) URL',
    });
  });

  it("without a target, is a usage error with a hint", async () => {
    await expect(resolveTarget({ env: NO_SESSION_ENV })).rejects.toMatchObject({
      exitCode: 2,
      code: "missing_target",
      message: "no `fanfare webhooks listen` is running here, and no --forward-to was given",
      hint: expect.stringContaining("--forward-to http://localhost:3000/webhooks"),
    });
  });
});
