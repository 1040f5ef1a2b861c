/**
 * Copying to the clipboard of the terminal the user sits at, which may be on another machine (ssh)
 * or behind tmux: OSC 52 asks the terminal itself to set its clipboard, so no clipboard tool on this
 * machine is needed. (tmux passes it on with `set -g set-clipboard on`.)
 */

/** Terminals cap what one OSC 52 may carry; past this the view offers `w` (a file) instead. */
export const MAX_CLIPBOARD_BYTES = 512 * 1024;

/** The escape sequence that sets the clipboard (`c`) to `text`, base64 as OSC 52 requires. */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, "utf8").toString("base64")}\u0007`;
}
