import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../../src/errors.js";
import { parseForwardUrl, resolveTarget } from "../../src/delivery/target.js";

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error("expected a usage error");
}

describe("parseForwardUrl", () => {
  it("takes full http(s) URLs as they are", () => {
    expect(parseForwardUrl("http://127.0.0.1:3000/webhooks?x=1").href).toBe("http://127.0.0.1:3000/webhooks?x=1");
    expect(parseForwardUrl("https://example.com/hooks").href).toBe("https://example.com/hooks");
  });

  it("reads host:port and :port as http", () => {
    expect(parseForwardUrl("localhost:3000/webhooks").href).toBe("http://localhost:3000/webhooks");
    expect(parseForwardUrl(":4000/hooks").href).toBe("http://localhost:4000/hooks");
  });

  it("rejects what cannot be POSTed to, saying why", () => {
    expect(usageMessage(() => parseForwardUrl(""))).toBe("--forward-to is empty");
    expect(usageMessage(() => parseForwardUrl("ftp://x/y"))).toBe('--forward-to "ftp://x/y" is not an http(s) URL');
    expect(usageMessage(() => parseForwardUrl("http://a b"))).toBe('--forward-to "http://a b" is not a valid URL');
    expect(usageMessage(() => parseForwardUrl("localhost:99999"))).toBe('--forward-to "localhost:99999" is not a valid URL');
    expect(usageMessage(() => parseForwardUrl("http://u:p@host/x"))).toBe('--forward-to "http://u:p@host/x" carries credentials');
  });
});

/** A config folder that does not exist: no listen session is running there. */
const NO_SESSION_ENV = { FANFARE_CONFIG_DIR: join(tmpdir(), `fanfare-no-session-${process.pid}`) };

describe("resolveTarget", () => {
  it("uses --forward-to", async () => {
    expect(await resolveTarget({ forwardTo: "localhost:3000/webhooks", env: NO_SESSION_ENV })).toEqual({
      url: new URL("http://localhost:3000/webhooks"),
      source: "forward-to",
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
