import { render } from "ink";
import { createElement } from "react";
import { ExitCode } from "../../errors.js";
import type { LifecycleScope } from "../../lifecycle/scope.js";
import type { LiveViewSource } from "../types.js";
import { enterAlternateScreen } from "./alternate-screen.js";
import { ColorContext } from "./color-context.js";
import { ListenScreen } from "./listen-screen.js";
import type { QuitReason } from "./use-listen-keys.js";

/** What the live view needs from a listen session (src/listen/), and nothing more. */
export interface ListenViewHandle {
  waitUntilExit(): Promise<void>;
  unmount(): void;
}

interface RenderListenViewOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** "interrupt" for Ctrl-C, "quit" for `q`. */
  onQuit?: (reason: QuitReason) => void;
  /** Whether to colour (the command's decision: a terminal, no NO_COLOR, no --no-color). */
  color: boolean;
  /**
   * Draw on the terminal's alternate screen (default: when stdout is a terminal), so that the start
   * banner with the secret stays in the scrollback and is there again after quitting.
   */
  alternateScreen?: boolean;
}

/**
 * Mounts the live view on the terminal and keeps it until `q`, Ctrl-C or `unmount()`; the command
 * keeps the session running until `waitUntilExit` resolves. listen imports this module only for the
 * live view, so `listen --no-tui` never loads Ink or React. Which React build runs is settled when
 * the CLI is bundled (NODE_ENV is defined as "production" there), not by the user's environment.
 */
export async function renderListenView(
  source: LiveViewSource,
  options: RenderListenViewOptions,
): Promise<ListenViewHandle> {
  const { stdout, stdin, color } = options;
  const alternate = (options.alternateScreen ?? true) ? enterAlternateScreen(stdout) : { leave: () => {} };
  const screen = createElement(ListenScreen, { source, onQuit: options.onQuit, interactive: Boolean(stdin.isTTY) });
  const instance = render(createElement(ColorContext.Provider, { value: color }, screen), {
    stdout,
    stdin,
    exitOnCtrlC: false,
    maxFps: 20,
  });
  // Ink's last frame goes to the alternate screen and vanishes with it; the normal screen returns.
  const done = instance.waitUntilExit().finally(() => alternate.leave());
  return {
    waitUntilExit: async () => {
      await done;
    },
    unmount: () => {
      instance.unmount();
      alternate.leave();
    },
  };
}

/**
 * The live view for as long as a command's scope runs: `q` (or the view ending by itself, its stdin
 * closing) stops the scope with 0, Ctrl-C with 130, and closing the scope unmounts the view.
 */
export async function renderLiveViewInScope(
  source: LiveViewSource,
  options: Omit<RenderListenViewOptions, "onQuit">,
  scope: Pick<LifecycleScope, "stop" | "defer">,
): Promise<void> {
  const view = await renderListenView(source, {
    ...options,
    onQuit: (reason) => scope.stop({ code: reason === "interrupt" ? ExitCode.interrupted : ExitCode.ok }),
  });
  void view.waitUntilExit().then(() => scope.stop({ code: ExitCode.ok }));
  scope.defer(async () => view.unmount());
}
