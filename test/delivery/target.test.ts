import { describe, expect, it } from "vitest";
import { resolveTarget } from "../../src/delivery/target.js";

describe("resolveTarget", () => {
  it("uses --forward-to, read by the one target parser (a bare number is a port here)", async () => {
    expect(await resolveTarget({ forwardTo: "localhost:3000/webhooks" })).toEqual({
      url: new URL("http://localhost:3000/webhooks"),
      source: "forward-to",
    });
    expect((await resolveTarget({ forwardTo: "3000" })).url.href).toBe("http://localhost:3000/");
    await expect(resolveTarget({ forwardTo: "ftp://x" })).rejects.toMatchObject({
      exitCode: 2,
      message: '--forward-to "ftp://x" is not an http(s) URL',
    });
  });

  it("without a target, is a usage error with a hint", async () => {
    await expect(resolveTarget({})).rejects.toMatchObject({
      exitCode: 2,
      code: "missing_target",
      message: "no `fanfare webhooks listen` is running here, and no --forward-to was given",
      hint: expect.stringContaining("--forward-to http://localhost:3000/webhooks"),
    });
  });
});
