import { CliError } from "../errors.js";
import { escapeControl, safeJson } from "./escape.js";
import { createStyle, type Style } from "./style.js";

interface OutputOptions {
  json?: boolean;
  /** `--no-color` sets this false; NO_COLOR and a non-TTY stdout turn colour off too. */
  color?: boolean;
  verbose?: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Colour only when a person is looking: a TTY, no NO_COLOR, no --no-color (FORCE_COLOR wins). */
export function shouldUseColor(
  flag: boolean | undefined,
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): boolean {
  if (flag === false) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

/**
 * Everything a command prints goes through here: results to stdout (plain or JSON), chatter and
 * errors to stderr, so `--json` output stays parseable when piped.
 */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
  readonly style: Style;
  /** Read on use: Node builds a stdio stream when first asked for, and most runs never write to stderr. */
  readonly #streams: Pick<OutputOptions, "stdout" | "stderr">;

  constructor(options: OutputOptions) {
    this.#streams = options;
    this.json = options.json ?? false;
    this.verbose = options.verbose ?? false;
    this.color = shouldUseColor(options.color, this.stdout, options.env);
    this.style = createStyle(this.color);
  }

  get stdout(): NodeJS.WritableStream & { isTTY?: boolean } {
    return this.#streams.stdout;
  }

  get stderr(): NodeJS.WritableStream & { isTTY?: boolean } {
    return this.#streams.stderr;
  }

  /** Whether a person is at the terminal (decides prompts and live views, not colour). */
  get interactive(): boolean {
    return Boolean(this.stdout.isTTY) && !this.json;
  }

  print(line = ""): void {
    this.stdout.write(line + "\n");
  }

  printJson(value: unknown): void {
    this.stdout.write(safeJson(value) + "\n");
  }

  /** Human status lines; on stderr so they never mix into a result that a script reads. */
  info(line: string): void {
    if (!this.json) this.stderr.write(line + "\n");
  }

  /**
   * Escaped: warnings carry API messages and clean-up failures. With --json, one JSON object a line,
   * as errors are, so a script can read stderr line by line.
   */
  warn(line: string): void {
    if (this.json) this.stderr.write(safeJson({ warning: { message: line } }) + "\n");
    else this.stderr.write(this.style.yellow("warning: ") + escapeControl(line) + "\n");
  }

  /** Plain text, escaped: --verbose shows what receivers answered and what cloudflared logged. */
  debug(line: string): void {
    if (this.verbose) this.stderr.write(this.style.dim(escapeControl(line)) + "\n");
  }

  error(error: CliError): void {
    if (this.json) {
      this.stderr.write(
        safeJson({
          // Every key, always: a script can read `.error.hint` without checking that it is there.
          error: { code: error.code, message: error.message, hint: error.hint ?? null, exitCode: error.exitCode },
        }) + "\n",
      );
      return;
    }
    // Messages echo arguments and API answers: escaped, so neither can drive the terminal.
    this.stderr.write(this.style.red("error: ") + escapeControl(error.message) + "\n");
    if (error.hint) this.stderr.write(this.style.dim("hint: ") + escapeControl(error.hint) + "\n");
  }

  /** A bug, not a user mistake: say so, and show the stack only with --verbose. */
  unexpected(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.stderr.write(this.style.red("unexpected error: ") + escapeControl(err.message) + "\n");
    if (this.verbose && err.stack) this.stderr.write(escapeControl(err.stack, { newlines: true }) + "\n");
    else this.stderr.write(this.style.dim("hint: ") + "run again with --verbose for details\n");
  }
}
