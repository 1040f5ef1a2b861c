import { expect } from "vitest";
import { CliError } from "../../src/errors.js";

/** Runs `fn`, which must throw a usage error (a CliError with exit code 2), and returns it. */
export function expectUsageError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return error as CliError;
  }
  throw new Error("expected a usage error");
}
