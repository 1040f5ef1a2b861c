import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { askHidden, confirm } from "../../src/config/prompt.js";
import { CliError } from "../../src/errors.js";

function streams() {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = "";
  output.on("data", (d: Buffer) => (written += d.toString()));
  return { input, output, written: () => written };
}

describe("askHidden", () => {
  it("returns the typed line without echoing it", async () => {
    const s = streams();
    const answer = askHidden("API key: ", s);
    s.input.write("sk_live_typedSecret99\n");
    expect(await answer).toBe("sk_live_typedSecret99");
    expect(s.written()).toBe("API key: \n");
  });

  it("Ctrl-C is an interruption (exit 130)", async () => {
    const s = streams();
    const answer = askHidden("API key: ", s);
    s.input.write("\u0003");
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(130);
  });

  it("end of input without a line (Ctrl-D) is an empty answer, not an interruption", async () => {
    const s = streams();
    const answer = askHidden("API key: ", s);
    s.input.end();
    expect(await answer).toBe("");
  });
});

describe("confirm", () => {
  it("yes only for y/yes", async () => {
    for (const [typed, expected] of [
      ["y\n", true],
      ["YES\n", true],
      ["\n", false],
      ["nope\n", false],
    ] as const) {
      const s = streams();
      const answer = confirm("Delete? [y/N] ", s);
      s.input.write(typed);
      expect(await answer).toBe(expected);
    }
  });

  it("no answer at all is a no", async () => {
    const s = streams();
    const answer = confirm("Delete? [y/N] ", s);
    s.input.end();
    expect(await answer).toBe(false);
  });
});
