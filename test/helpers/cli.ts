import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { run } from "../../src/cli.js";
import { createDeps } from "../../src/commands/deps.js";
import type { HttpClientFactory } from "../../src/http/client.js";
import type { SignalSource } from "../../src/lifecycle/scope.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "bin", "fanfare.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
  /** In-process runs: stdin and stdout claim to be a terminal (prompts, colour, the live view). */
  tty?: boolean;
  /** In-process runs: the HTTP layer the command sends through. */
  http?: HttpClientFactory;
  /** In-process runs: the pid the command records (a second listen in one test needs its own). */
  pid?: number;
}

/**
 * An environment with no trace of the developer's own setup: a throwaway config folder, no API key,
 * no colour forcing. Tests pass what they need on top.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("FANFARE_") || key === "FORCE_COLOR" || key === "NO_COLOR" || key === "CLOUDFLARED_BIN") {
      delete env[key];
    }
  }
  return { ...env, ...extra };
}

/** A fresh config folder for one test; remove it with the returned function. */
export function tempConfigDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "fanfare-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A stream that keeps what is written to it, as text. */
class Capture extends Writable {
  text = "";
  isTTY: boolean;
  columns = 120;
  rows = 40;
  private readonly onData: () => void;

  constructor(tty: boolean, onData: () => void) {
    super({ decodeStrings: false });
    this.isTTY = tty;
    this.onData = onData;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    this.onData();
    done();
  }
}

interface InProcess {
  stdout: Capture;
  stderr: Capture;
  signals: EventEmitter;
  /** Resolves with the code of an exitNow (a second signal), if the command asks to leave at once. */
  exitNow: Promise<number>;
  done: Promise<number>;
}

/**
 * Runs `fanfare …` inside this process (src/cli.ts `run`) with captured streams, the given env and
 * stdin, and an emitter for signals: what the binary does, without a process start per test.
 */
function runInProcess(args: string[], options: CliOptions, onData: () => void = () => {}): InProcess {
  const tty = options.tty ?? false;
  const stdout = new Capture(tty, onData);
  const stderr = new Capture(tty, onData);
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdin.isTTY = tty;
  if (tty) stdin.setRawMode = () => stdin;
  if (options.input !== undefined) stdin.end(options.input);
  else if (!tty) stdin.end();
  const signals = new EventEmitter();
  let leave!: (code: number) => void;
  const exitNow = new Promise<number>((res) => (leave = res));
  const deps = createDeps({
    stdout,
    stderr,
    stdin,
    env: options.env ?? cleanEnv(),
    signals: signals as unknown as SignalSource,
    exitNow: (code) => leave(code),
    ...(options.http ? { http: options.http } : {}),
    ...(options.pid !== undefined ? { pid: options.pid } : {}),
  });
  const done = run(["node", "fanfare", ...args], deps);
  return { stdout, stderr, signals, exitNow, done };
}

/** Runs `fanfare …` to completion, in-process (see runInProcess). */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const cli = runInProcess(args, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(
      () => rej(new Error(`fanfare ${args.join(" ")} did not finish in time\nstdout:\n${cli.stdout.text}\nstderr:\n${cli.stderr.text}`)),
      options.timeoutMs ?? 20_000,
    );
  });
  try {
    const code = await Promise.race([cli.done, cli.exitNow, timeout]);
    return { code, signal: null, stdout: cli.stdout.text, stderr: cli.stderr.text };
  } finally {
    clearTimeout(timer);
  }
}

/** bin/fanfare.js as a process of its own, so dist/ must be built (npm test does). */
function spawnBin(args: string[], options: CliOptions): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? cleanEnv(),
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs the real binary to completion. */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnBin(args, options);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.on("error", () => {});
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

export interface RunningCli {
  /** The spawned process; in-process runs have none. */
  child?: ChildProcessWithoutNullStreams;
  /** The pid the command records (its session file, its temporary endpoint). */
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr, or rejects after timeoutMs. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code once the process has gone. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Resolves with the first match of `pattern` in the output, or rejects on exit or after timeoutMs. */
function outputWatcher(output: () => string, hasExited: () => boolean) {
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<RegExpMatchArray>((res, rej) => {
      const check = () => {
        const m = output().match(pattern);
        if (m) {
          cleanup();
          res(m);
        } else if (hasExited()) {
          cleanup();
          rej(new Error(`exited before ${pattern}\n${output()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`timed out waiting for ${pattern}\n${output()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { notify, waitFor };
}

/**
 * Starts a long-running `fanfare …` (listen, emulator) in-process and lets the test watch its
 * output; `stop(signal)` delivers the signal to the command as the process would.
 */
export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  let exitedWith: number | null = null;
  const watcher = outputWatcher(
    () => cli.stdout.text + "\n" + cli.stderr.text,
    () => exitedWith !== null,
  );
  const cli = runInProcess(args, options, () => watcher.notify());
  const exited = Promise.race([cli.done, cli.exitNow]).then(
    (code) => {
      exitedWith = code;
      watcher.notify();
      return { code, signal: null };
    },
    (error: unknown) => {
      exitedWith = -1;
      watcher.notify();
      throw error;
    },
  );
  void exited.catch(() => {});
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    // SIGKILL cannot be caught: in-process, the closest is the command's own stop.
    if (exitedWith === null) cli.signals.emit(signal === "SIGKILL" ? "SIGTERM" : signal, signal);
    return exited;
  };
  return {
    pid: options.pid ?? process.pid,
    stdout: () => cli.stdout.text,
    stderr: () => cli.stderr.text,
    waitFor: watcher.waitFor,
    stop,
    exited,
  };
}

/** Starts the real binary, long-running (listen, emulator), and lets the test watch its output. */
export function startSpawnedCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawnBin(args, options);
  let stdout = "";
  let stderr = "";
  const watcher = outputWatcher(
    () => `stdout:\n${stdout}\nstderr:\n${stderr}`,
    () => child.exitCode !== null || child.signalCode !== null,
  );
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    watcher.notify();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    watcher.notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => {
      watcher.notify();
      res({ code, signal });
    }),
  );
  if (options.input !== undefined) child.stdin.write(options.input);

  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const result = await exited;
    clearTimeout(killer);
    return result;
  };

  return { child, pid: child.pid!, stdout: () => stdout, stderr: () => stderr, waitFor: watcher.waitFor, stop, exited };
}

/**
 * Waits for a started `fanfare webhooks emulator --json` to say where it listens, and gives the
 * environment that points commands at it (its URL and key, the config folder given).
 */
export async function emulatorEnv(emulator: RunningCli, configDir: string): Promise<NodeJS.ProcessEnv> {
  const [line] = await emulator.waitFor(/\{"url".*\}/);
  const { url, apiKey } = JSON.parse(line) as { url: string; apiKey: string };
  return cleanEnv({ FANFARE_CONFIG_DIR: configDir, FANFARE_API_BASE: url, FANFARE_SECRET_KEY: apiKey });
}
