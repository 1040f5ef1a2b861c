/**
 * What a completion script knows about the CLI: every command path with its subcommands, flags and
 * positional arguments, and the event names. Built from the commander program by the `completion`
 * command (so it cannot drift from what the CLI accepts), then written out by one generator per shell.
 * Plain data: the generators are pure string functions of it.
 */

/** What may follow a flag, or fill a positional argument. */
export type ValueKind =
  | { kind: "events" }
  /** Comma-separated event names (`--events a,b`): each part completes on its own. */
  | { kind: "event-list" }
  | { kind: "choices"; values: string[] }
  | { kind: "file" }
  /** Anything (a URL, a secret, a number): nothing to offer. */
  | { kind: "any" };

export interface FlagSpec {
  /** Every spelling, long and short: `--forward-to`, `--forward`. */
  names: string[];
  description: string;
  /** Present when the flag takes a value. */
  value?: ValueKind;
}

export interface CommandSpec {
  /** The command words after the program name, space-separated; "" is the program itself. */
  path: string;
  description: string;
  subcommands: Array<{ name: string; description: string }>;
  /** This command's own flags and every flag of its ancestors that applies here (globals). */
  flags: FlagSpec[];
  /** Positional arguments in order. */
  args: ValueKind[];
  /** The last positional argument repeats (`<event...>`). */
  variadic: boolean;
}

export interface CompletionSpec {
  program: string;
  version: string;
  commands: CommandSpec[];
  events: string[];
}

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * Words the scripts embed unquoted (command names, flags, event names, choices): anything else is
 * left out rather than risk a script that breaks, or runs something, when sourced.
 */
function isPlainWord(word: string): boolean {
  return /^[A-Za-z0-9_.:@%+=\/-]+$/.test(word);
}

/** The words of a list that are safe to embed, space-separated. */
export function words(list: readonly string[]): string {
  return list.filter(isPlainWord).join(" ");
}

/** The kind of value of a flag, as a word for the shell scripts' `_value_kind` tables. */
export function kindWord(value: ValueKind): string {
  return value.kind === "choices" ? `choices ${words(value.values)}` : value.kind;
}
