import type { Key } from "ink";

/**
 * Ink splits escape sequences (arrows, PgUp…) into one input event each, but hands a run of plain
 * characters that arrived in one stdin chunk (a paste, fast typing, `tmux send-keys "p s"`) to
 * useInput as a single `input` string. For the list and the details every character is a key of its
 * own, so such a chunk is replayed here one keystroke at a time, each with the Key flags Ink would
 * have given it had it arrived alone. Pure: no Ink at run time, only its Key type.
 */

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

interface Keystroke {
  input: string;
  key: Key;
}

/** Whether `input` is several keystrokes that Ink delivered as one (never an escape sequence). */
export function isKeyChunk(input: string, key: Key): boolean {
  if (key.ctrl || key.meta || input.includes("\u001B")) return false;
  // Code points, not UTF-16 units: one emoji is one key.
  let count = 0;
  for (const _ of input) if (++count > 1) return true;
  return false;
}

/** One keystroke per code point, as Ink would have reported each on its own. */
export function splitKeyChunk(input: string): Keystroke[] {
  return Array.from(input, keystrokeOf);
}

function keystrokeOf(char: string): Keystroke {
  switch (char) {
    case "\r":
    case "\n":
      return { input: "", key: { ...NO_KEY, return: true } };
    case "\t":
      return { input: "", key: { ...NO_KEY, tab: true } };
    case "\u007F":
    case "\b":
      // Ink reports the DEL byte most terminals send for Backspace as `delete`; either is accepted by the view.
      return { input: "", key: { ...NO_KEY, backspace: char === "\b", delete: char === "\u007F" } };
    default: {
      const code = char.codePointAt(0)!;
      if (code < 0x20) {
        // Ctrl-letter: Ink gives the letter with ctrl set (Ctrl-C is "c").
        return { input: String.fromCharCode(code + 0x60), key: { ...NO_KEY, ctrl: true } };
      }
      return { input: char, key: { ...NO_KEY, shift: /[A-Z]/.test(char) } };
    }
  }
}
