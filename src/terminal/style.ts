import { Chalk, type ChalkInstance } from "chalk";

/** Terminal styles with chalk's call shape (`style.red("x")`, `style.bold.green("x")`). */
export type Style = ChalkInstance;

/**
 * Styles that colour or not as told: Output has already decided (flag, NO_COLOR, TTY), so chalk's
 * own probing of the terminal is not consulted. Level 1 is the 16 basic colours every terminal has.
 */
export function createStyle(enabled: boolean): Style {
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** Removes ANSI escapes, for width calculations and tests. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;]*m/g, "");
}
