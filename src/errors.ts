/** Exit codes are part of the contract (README "Exit codes"); scripts branch on them. */
export const ExitCode = {
  ok: 0,
  /** The operation failed: a non-2xx delivery, an invalid signature, an API error. */
  failure: 1,
  /** Usage or configuration error: unknown event, missing secret, bad flag. */
  usage: 2,
  interrupted: 130,
} as const;

type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

interface CliErrorOptions {
  exitCode?: ExitCodeValue;
  /** One line telling the user what to do next. */
  hint?: string;
  /** A stable machine-readable code for `--json` output, e.g. `unknown_event`. */
  code?: string;
  cause?: unknown;
}

/**
 * The one error type the CLI prints for people: a one-line message, an optional hint and an exit
 * code. Anything else that reaches the top is a bug and is reported as such.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;
  readonly code: string;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
    this.code = options.code ?? (this.exitCode === ExitCode.usage ? "usage" : "failed");
  }
}

export function usageError(message: string, hint?: string, code = "usage"): CliError {
  return new CliError(message, { exitCode: ExitCode.usage, hint, code });
}

export function failure(message: string, hint?: string, code = "failed"): CliError {
  return new CliError(message, { exitCode: ExitCode.failure, hint, code });
}

export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError;
}
