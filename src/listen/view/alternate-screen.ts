import { writeSync } from "node:fs";

/** xterm's alternate screen buffer (saves the cursor, switches, clears), and back. */
const ENTER_ALTERNATE_SCREEN = "\u001B[?1049h\u001B[H";
const LEAVE_ALTERNATE_SCREEN = "\u001B[?1049l";

interface AlternateScreen {
  /** Back to the normal screen; idempotent. */
  leave(): void;
}

/**
 * Draws the live view on the terminal's alternate screen, as full-screen programs (less, vim, top)
 * do: the start banner listen printed (with the signing secret, in full, once) stays on the normal
 * screen and in the scrollback, untouched by the view's redraws, and is there again after quitting.
 *
 * The normal screen must come back on every way out. The view's unmount calls leave(); so does
 * process exit (a crash, process.exit on a second Ctrl-C), synchronously, since nothing
 * asynchronous runs then. Signals reach listen's own handlers, which unmount the view. Only
 * SIGKILL leaves the terminal on the alternate screen (`tput rmcup` or `reset` restores it).
 */
export function enterAlternateScreen(stdout: NodeJS.WriteStream): AlternateScreen {
  if (!stdout.isTTY) return { leave: () => {} };
  let active = true;
  const maybeFd = (stdout as unknown as { fd?: unknown }).fd;
  const fd = typeof maybeFd === "number" ? maybeFd : null;
  const leave = (): void => {
    if (!active) return;
    active = false;
    process.off("exit", leave);
    try {
      // Synchronous: on "exit" a queued stream write would never be flushed.
      if (fd !== null) writeSync(fd, LEAVE_ALTERNATE_SCREEN);
      else stdout.write(LEAVE_ALTERNATE_SCREEN);
    } catch {
      // The terminal is gone (hung up): nothing to restore.
    }
  };
  process.on("exit", leave);
  stdout.write(ENTER_ALTERNATE_SCREEN);
  return { leave };
}
