import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { failure } from "../../src/errors.js";
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

describe("Output with --json", () => {
  it("writes an error as one object with every key (hint null when there is none), and a warning as one object a line", () => {
    const stderr = capture();
    const out = new Output({ json: true, stdout: new PassThrough(), stderr: stderr.stream, env: {} });
    out.warn("line 3 skipped: \u001b[31mred");
    out.error(failure("not sent"));
    out.error(failure("not sent", "try again"));
    expect(stderr.text().trim().split("\n").map((line) => JSON.parse(line))).toEqual([
      { warning: { message: "line 3 skipped: \u001b[31mred" } },
      { error: { code: "failed", message: "not sent", hint: null, exitCode: 1 } },
      { error: { code: "failed", message: "not sent", hint: "try again", exitCode: 1 } },
    ]);
    // JSON escapes the control character itself: nothing raw reaches a terminal.
    expect(stderr.text()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
