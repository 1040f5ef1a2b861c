import { createInterface, type Interface } from "node:readline";
import { Writable } from "node:stream";
import { CliError, ExitCode } from "../errors.js";

interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Where the question is written (stderr, so stdout stays for results). */
  output: NodeJS.WritableStream;
}

function interrupted(): CliError {
  return new CliError("interrupted", { exitCode: ExitCode.interrupted, code: "interrupted" });
}

/**
 * Asks for a secret without echoing it: readline runs in terminal mode (so backspace works) but its
 * output goes nowhere; only the question and a newline reach the screen. Ctrl-C exits 130; input
 * that ends first (Ctrl-D) is an empty answer, for the caller to refuse as it refuses an empty line.
 */
export async function askHidden(question: string, streams: PromptStreams): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  streams.output.write(question);
  const rl = createInterface({ input: streams.input, output: muted, terminal: true });
  const line = await firstLine(rl, streams.output);
  streams.output.write("\n");
  return (line ?? "").trim();
}

/** A yes/no question, "no" unless the answer starts with y (also when stdin ends unanswered). */
export async function confirm(question: string, streams: PromptStreams): Promise<boolean> {
  streams.output.write(question);
  const rl = createInterface({ input: streams.input, output: streams.output, terminal: Boolean(streams.input.isTTY) });
  const line = await firstLine(rl, streams.output);
  return line !== null && /^\s*y(es)?\s*$/i.test(line);
}

/** The first line read, or null when input ends first; Ctrl-C rejects as an interruption (130). */
function firstLine(rl: Interface, output: NodeJS.WritableStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let answered = false;
    rl.on("SIGINT", () => {
      answered = true;
      rl.close();
      output.write("\n");
      reject(interrupted());
    });
    rl.on("close", () => {
      if (!answered) resolve(null);
    });
    rl.once("line", (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
  });
}
