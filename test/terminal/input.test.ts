import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAll, readAllText, readSource } from "../../src/terminal/input.js";

describe("readAll", () => {
  it("reads a stream to its end, bytes as they came", async () => {
    const input = new PassThrough();
    input.write(Buffer.from([0xff, 0x00]));
    input.end("é\n");
    expect(await readAll(input)).toEqual(Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from("é\n")]));
  });

  it("accepts string chunks, and gives text with readAllText", async () => {
    expect(await readAllText(Readable.from(["sk_", "piped\n"]))).toBe("sk_piped\n");
    expect(await readAllText(Readable.from([]))).toBe("");
  });
});

describe("readSource", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fanfare-input-"));
    mkdirSync(join(dir, "folder"));
    writeFileSync(join(dir, "body.json"), '{"a":1}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const options = (stdin = Readable.from([]) as NodeJS.ReadableStream) => ({
    stdin: () => stdin,
    what: "the payload file",
    hint: "pass a file",
    code: "payload_unreadable",
  });

  it("reads a file, or the given stdin for -", async () => {
    expect((await readSource(join(dir, "body.json"), options())).toString()).toBe('{"a":1}');
    // A file never opens stdin: Node builds that stream on first use, and it costs start-up time.
    const untouched = { ...options(), stdin: () => expect.unreachable("stdin was opened for a file") as never };
    expect((await readSource(join(dir, "body.json"), untouched)).toString()).toBe('{"a":1}');
    expect((await readSource("-", options(Readable.from(["from stdin"])))).toString()).toBe("from stdin");
  });

  it.each([
    ["nope.json", "no such file or folder"],
    ["folder", "it is a directory"],
  ])("says why %s cannot be read, in one wording for every flag", async (name, why) => {
    const path = join(dir, name);
    await expect(readSource(path, options())).rejects.toMatchObject({
      exitCode: 2,
      code: "payload_unreadable",
      message: `cannot read the payload file "${path}": ${why}`,
      hint: "pass a file",
    });
  });

  it("turns a failing stdin into the same kind of error", async () => {
    const broken = new Readable({ read() {} });
    const reading = readSource("-", options(broken));
    broken.destroy(Object.assign(new Error("boom"), { code: "EIO" }));
    await expect(reading).rejects.toMatchObject({ exitCode: 2, message: "cannot read the payload file from stdin: boom" });
  });
});
