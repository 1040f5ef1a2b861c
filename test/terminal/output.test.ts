import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Output } from "../../src/terminal/output.js";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe("Output.unexpected", () => {
  it("escapes the message, and with --verbose the stack too (it repeats the message, which may quote outside text)", () => {
    const stderr = capture();
    const out = new Output({ verbose: true, stdout: new PassThrough(), stderr: stderr.stream, env: {} });
    out.unexpected(new Error("bad body: \u001b]0;owned\u0007\u009b2J"));
    expect(stderr.text()).toContain("unexpected error: bad body: \\x1b]0;owned\\x07\\x9b2J\n");
    expect(stderr.text()).toContain("Error: bad body: \\x1b]0;owned\\x07\\x9b2J\n    at ");
    expect(stderr.text()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
