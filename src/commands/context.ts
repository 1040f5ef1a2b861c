import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { LifecycleScope } from "../lifecycle/scope.js";
import { usageError } from "../errors.js";
import { Output } from "../terminal/output.js";
import type { CommandDeps } from "./deps.js";

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** The output of one command: its streams from deps, its mode from the global flags. */
export function outputOf(options: GlobalOptions, deps: CommandDeps): Output {
  const { json, color, verbose } = options;
  // The streams stay behind getters, so a run that never writes to stderr never builds it.
  return new Output({
    json,
    color,
    verbose,
    env: deps.env,
    get stdout() {
      return deps.stdout;
    },
    get stderr() {
      return deps.stderr;
    },
  });
}

/**
 * What every command registers with: the deps it runs with, and where its action leaves the exit
 * code (one per run of the program, so runs in one process never share it).
 */
export interface CommandContext {
  readonly deps: CommandDeps;
  exitCode: number;
}

export function commandContext(deps: CommandDeps): CommandContext {
  return { deps, exitCode: 0 };
}

/** The lifecycle of a long-running command, on the deps' signals, saying with --verbose what it does. */
export function lifecycleScope(deps: CommandDeps, out: Output): LifecycleScope {
  return new LifecycleScope({
    signals: deps.signals,
    exitNow: deps.exitNow,
    onSignal: (signal, again) => out.debug(again ? `${signal} again: leaving at once` : `${signal}: stopping`),
    now: () => deps.now().getTime(),
  });
}

/** Help text listing examples, shown after a command's options: a comment line, then the command. */
export function examples(lines: Array<[command: string, what: string]>): string {
  return "\nExamples:\n" + lines.map(([c, what]) => `  # ${what}\n  $ ${c}`).join("\n\n") + "\n";
}

/** Splits `a,b , c` into trimmed, non-empty parts (for --events and the like). */
export function commaList(value: string, previous: string[] = []): string[] {
  return previous.concat(
    value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** A whole-number flag within [min, max] (`--count`, `--port`…); anything else is a usage error (2). */
export function parseIntFlag(flag: string, value: string, min: number, max: number, hint?: string): number {
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`, hint ?? `e.g. ${flag} ${min === 1 ? 10 : min}`, "invalid_flag");
  }
  return n;
}

/** Collects a repeatable flag (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return previous.concat(value);
}

/**
 * A command's action as `run(options, deps)`: commander's positional arguments join the options
 * under their declared names (`<endpointId>` → `options.endpointId`, `[event...]` → `options.event`),
 * with the global flags, so the work is a function of plain data and deps that tests can call as it
 * is. `run` returns the exit code it wants (nothing means 0) and throws a CliError for anything the
 * user should fix, so no command calls process.exit itself.
 */
export function runWith<O>(
  ctx: CommandContext,
  run: (options: O, deps: CommandDeps) => Promise<number | void> | number | void,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const options: Record<string, unknown> = { ...cmd.optsWithGlobals() };
    cmd.registeredArguments.forEach((argument, i) => {
      options[camelCase(argument.name())] = args[i];
    });
    const code = await run(options as O, ctx.deps);
    ctx.exitCode = typeof code === "number" ? code : 0;
  };
}

function camelCase(name: string): string {
  return name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration flag (`--interval 2s`, `--since 10m`): a number with ms, s, m, h or d (a bare number is
 * seconds), within [minMs, maxMs]; anything else is a usage error (2). Returns milliseconds.
 */
export function parseDurationFlag(flag: string, value: string, minMs: number, maxMs: number, example: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = m ? Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? "s"]!) : NaN;
  if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
    throw usageError(
      `${flag} must be a duration from ${describeMs(minMs)} to ${describeMs(maxMs)}, such as ${example}; not "${value}"`,
      `e.g. ${flag} ${example} (units: ms, s, m, h, d)`,
      "invalid_flag",
    );
  }
  return ms;
}

function describeMs(ms: number): string {
  for (const [unit, size] of Object.entries(DURATION_UNITS).reverse()) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
