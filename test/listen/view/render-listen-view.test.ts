import chalk from "chalk";
import { Console } from "node:console";
import { EventEmitter } from "node:events";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { renderListenView, type ListenViewHandle } from "../../../src/listen/view/listen-view.js";
import { completed, FakeSource, makeRecord } from "./fixtures.js";

/** A terminal stand-in: what Ink writes is kept; size and TTY-ness are chosen by the test. */
class FakeTerminal extends EventEmitter {
  output = "";
  columns = 100;
  rows = 24;
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(chunk: string): boolean {
    this.output += chunk;
    return true;
  }
}

class FakeKeyboard extends EventEmitter {
  private pending: string[] = [];
  constructor(readonly isTTY: boolean) {
    super();
  }
  type(data: string): void {
    this.pending.push(data);
    this.emit("readable");
  }
  read(): string | null {
    return this.pending.shift() ?? null;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

let handle: ListenViewHandle | null = null;

beforeAll(() => {
  // Ink routes console.* above the view by building a console.Console; vitest's console lacks the class.
  const global = console as Console & { Console?: typeof Console };
  global.Console ??= Console;
});

const chalkLevel = chalk.level;

afterEach(() => {
  handle?.unmount();
  handle = null;
  chalk.level = chalkLevel;
});

// Generous: it only runs out when a test fails, and a loaded machine can take seconds per frame.
const WAIT = { timeout: 10_000 };

/** SGR colour and weight codes; Ink's cursor movement codes are something else. */
const COLOUR_CODE = /\u001B\[(3\d|9\d|1|2)m/;

async function start(options: { ttyIn?: boolean; color?: boolean } = {}) {
  const stdout = new FakeTerminal(true);
  const stdin = new FakeKeyboard(options.ttyIn ?? true);
  const source = new FakeSource();
  const onQuit = vi.fn();
  handle = await renderListenView(source, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    onQuit,
    color: options.color ?? true,
  });
  // Drawn, and (on a terminal) reading keys: Ink subscribes to stdin in an effect after the first frame.
  await vi.waitFor(() => expect(stdout.output).toContain("fanfare listen"), WAIT);
  if (stdin.isTTY) await vi.waitFor(() => expect(stdin.listenerCount("readable")).toBeGreaterThan(0), WAIT);
  return { stdout, stdin, source, onQuit, handle };
}

describe("renderListenView", () => {
  it("draws on the given terminal and exits on q, after calling onQuit", async () => {
    // As if the terminal had colours: only the `color: false` option keeps them out.
    chalk.level = 1;
    const { stdout, stdin, source, onQuit, handle } = await start({ color: false });
    source.emit(completed(makeRecord(1), { statusCode: 500 }));
    await vi.waitFor(() => expect(stdout.output).toContain("whk_000001"), WAIT);
    expect(stdout.output).toContain("fanfare listen");
    // --no-color: no SGR colour codes (Ink still moves the cursor).
    expect(stdout.output).not.toMatch(COLOUR_CODE);

    stdin.type("q");
    await handle.waitUntilExit();
    expect(onQuit).toHaveBeenCalledTimes(1);
    expect(source.listenerCount).toBe(0);
  });

  it("colours when the terminal can", async () => {
    chalk.level = 1;
    const { stdout, source } = await start({ color: true });
    source.emit(completed(makeRecord(1), { statusCode: 500 }));
    await vi.waitFor(() => expect(stdout.output).toContain("whk_000001"), WAIT);
    expect(stdout.output).toMatch(COLOUR_CODE);
  });

  it("only shows, never reads keys, when stdin is not a terminal", async () => {
    const { stdout, stdin, onQuit } = await start({ ttyIn: false, color: false });
    expect(stdin.listenerCount("readable")).toBe(0);
    stdin.type("q");
    // A wait, not a poll: no key is read at all, so there is no later state to wait for.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(onQuit).not.toHaveBeenCalled();
    expect(stdout.output).toContain("fanfare listen");
  });

  it("follows the terminal's height", async () => {
    const { stdout, source } = await start({ color: false });
    for (let seq = 1; seq <= 50; seq++) source.emit(completed(makeRecord(seq)));
    await vi.waitFor(() => expect(stdout.output).toContain("whk_000050"), WAIT);
    stdout.output = "";
    stdout.rows = 40;
    stdout.emit("resize");
    // 40 rows leave 32 for the list: the 32 newest are drawn, so 19 is the oldest on screen.
    await vi.waitFor(() => expect(stdout.output).toContain("whk_000019"), WAIT);
    expect(stdout.output).not.toContain("whk_000018");
  });

  it("draws on the alternate screen and gives the normal screen back on q, so the banner above stays", async () => {
    const { stdout, stdin, handle } = await start({ color: false });
    expect(stdout.output.startsWith("\u001B[?1049h")).toBe(true);
    expect(stdout.output).not.toContain("\u001B[?1049l");
    stdin.type("q");
    await handle.waitUntilExit();
    expect(stdout.output.endsWith("\u001B[?1049l")).toBe(true);
    // Once: a later unmount (listen's cleanup) does not switch again.
    handle.unmount();
    expect(stdout.output.split("\u001B[?1049l")).toHaveLength(2);
  });

  it("gives the normal screen back when unmounted by the session (Ctrl-C, SIGTERM, the tunnel dying)", async () => {
    const { stdout, handle } = await start({ color: false });
    handle.unmount();
    expect(stdout.output.endsWith("\u001B[?1049l")).toBe(true);
  });
});
