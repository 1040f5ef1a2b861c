import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError, ExitCode } from "../errors.js";

export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Where the question is written (stderr, so stdout stays for results). */
  output: NodeJS.WritableStream;
}

const defaultStreams = (): PromptStreams => ({ input: process.stdin, output: process.stderr });

function interrupted(): CliError {
  return new CliError("interrupted", { exitCode: ExitCode.interrupted, code: "interrupted" });
}

/**
 * Asks for a secret without echoing it: readline runs in terminal mode (so backspace works) but its
 * output goes nowhere; only the question and a newline reach the screen. Ctrl-C exits 130.
 */
export function askHidden(question: string, streams: PromptStreams = defaultStreams()): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  streams.output.write(question);
  const rl = createInterface({ input: streams.input, output: muted, terminal: true });
  return new Promise((resolve, reject) => {
    let answered = false;
    rl.on("SIGINT", () => {
      rl.close();
      streams.output.write("\n");
      reject(interrupted());
    });
    rl.on("close", () => {
      if (!answered) reject(interrupted());
    });
    rl.once("line", (line) => {
      answered = true;
      rl.close();
      streams.output.write("\n");
      resolve(line.trim());
    });
  });
}

/** A yes/no question, "no" unless the answer starts with y. */
export function confirm(question: string, streams: PromptStreams = defaultStreams()): Promise<boolean> {
  const rl = createInterface({ input: streams.input, output: streams.output, terminal: Boolean(streams.input.isTTY) });
  return new Promise((resolve, reject) => {
    let answered = false;
    rl.on("SIGINT", () => {
      rl.close();
      streams.output.write("\n");
      reject(interrupted());
    });
    rl.on("close", () => {
      if (!answered) resolve(false);
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
  });
}

/** All of stdin as text, for `echo $KEY | fanfare login`. */
export async function readStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
