import { readFileSync } from "node:fs";
import { usageError } from "../errors.js";

/**
 * The input a command was handed: `process.stdin` when run for real, a fake in tests. Taken as a
 * parameter rather than read from `process` so commands can run in-process with their own streams.
 */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/** Everything the stream gives until it ends, as bytes (a signed body must stay byte for byte). */
export async function readAll(stream: InputStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** {@link readAll} as UTF-8 text. */
export async function readAllText(stream: InputStream): Promise<string> {
  return (await readAll(stream)).toString("utf8");
}

interface ReadSourceOptions {
  /** Read when the source is `-`, and only then: Node builds the stdin stream on first use. */
  stdin: () => InputStream;
  /** What is being read, for the message: `the payload file`, `the --data file`. */
  what: string;
  /** What to do instead, e.g. "pass the file holding the raw request body". */
  hint: string;
  /** The `--json` error code. */
  code: string;
}

/**
 * A file named on the command line, or stdin when the name is `-`, as bytes. An unreadable one is a
 * usage error worded the same for every flag: `cannot read the --data file "x.json": no such file`.
 */
export async function readSource(source: string, options: ReadSourceOptions): Promise<Buffer> {
  try {
    if (source === "-") return await readAll(options.stdin());
    // One file named on the command line, read at once: loading node:fs/promises for it cost
    // `verify` several milliseconds of its start-up.
    return readFileSync(source);
  } catch (error) {
    const where = source === "-" ? "from stdin" : `"${source}"`;
    throw usageError(`cannot read ${options.what} ${where}: ${fileErrorReason(error)}`, options.hint, options.code);
  }
}

/** Why a file named on the command line could not be read or written, in a few words. */
export function fileErrorReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return "no such file or folder";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return (error as Error).message ?? String(error);
  }
}
