import type { ListenViewSource, SessionInfo } from "../types.js";
import { forgetUnusedReactBuilds, preferReactProductionBuild } from "./react-production.js";
import type { QuitReason } from "./use-listen-keys.js";

/** What the live view needs from a listen session (src/listen/), and nothing more. */
export interface ListenViewHandle {
  waitUntilExit(): Promise<void>;
  unmount(): void;
}

export interface RenderListenViewOptions {
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
 * keeps the session running until `waitUntilExit` resolves. Ink and React are imported here, after
 * choosing React's production build (see react-production.ts), so this module stays light and
 * holds no JSX.
 */
export async function renderListenView(
  source: ListenViewSource,
  options: RenderListenViewOptions,
): Promise<ListenViewHandle> {
  const { stdout, stdin, color } = options;
  preferReactProductionBuild();
  const [{ render }, { createElement }, { ColorContext }, { ListenScreen }] = await Promise.all([
    import("ink"),
    import("react"),
    import("./color-context.js"),
    import("./listen-screen.js"),
  ]);
  forgetUnusedReactBuilds();
  const { enterAlternateScreen } = await import("./alternate-screen.js");
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
