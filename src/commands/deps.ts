import type { ApiClient } from "../api/client.js";
import type { Settings } from "../config/settings.js";
import type { GlobalOptions } from "../config/globals.js";
import { createHttpClient, type HttpClientFactory } from "../http/client.js";
import type { SignalSource } from "../lifecycle/scope.js";
import type { InputStream } from "../terminal/input.js";
import type { Output } from "../terminal/output.js";

type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

/**
 * Everything a command needs from the world outside its flags. The CLI passes the process's own;
 * tests pass fake streams, a temporary config folder in `env`, an emitter for signals and a fixed
 * clock, and run commands in-process.
 */
export interface CommandDeps {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
  env: NodeJS.ProcessEnv;
  /** The wall clock. */
  now: () => Date;
  /** Stop signals (SIGINT, SIGTERM, SIGHUP) for long-running commands. */
  signals: SignalSource;
  /** Leaves at once (a second Ctrl-C while cleaning up). */
  exitNow: (code: number) => void;
  /** This process's id: named in session files and temporary endpoints so others can tell if it is alive. */
  pid: number;
  /** The HTTP layer every sender uses (trigger, listen's forwarder, the admin client). */
  http: HttpClientFactory;
  /** The admin API client for these globals: settings resolved, key required. The caller closes it. */
  connectApi: (
    globals: GlobalOptions,
    out: Output,
    tuning?: { maxRetries?: number },
  ) => Promise<{ client: ApiClient; settings: Settings }>;
}

/**
 * The deps of the real CLI: this process's streams, environment, signals and clock; `parts` replaces
 * any of them (tests). The API client factory reads the environment given.
 */
export function createDeps(parts: Partial<CommandDeps> = {}): CommandDeps {
  const env = parts.env ?? process.env;
  const http = parts.http ?? createHttpClient;
  return {
    // Getters: Node builds each stdio stream on first use, and most commands never touch stdin
    // (or stderr, when all goes well).
    get stdout() {
      return parts.stdout ?? quietWhenReaderLeaves(process.stdout);
    },
    get stderr() {
      return parts.stderr ?? quietWhenReaderLeaves(process.stderr);
    },
    get stdin() {
      return parts.stdin ?? process.stdin;
    },
    env,
    now: parts.now ?? (() => new Date()),
    signals: parts.signals ?? (process as unknown as SignalSource),
    exitNow: parts.exitNow ?? ((code) => process.exit(code)),
    pid: parts.pid ?? process.pid,
    http,
    connectApi:
      parts.connectApi ??
      (async (globals, out, tuning) => (await import("../api/connect.js")).connectApi(globals, out, env, http, tuning)),
  };
}

const watched = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that stops early (`fanfare webhooks events | head`) is not an error worth a stack trace:
 * the run ends there, with the exit code it has so far.
 */
function quietWhenReaderLeaves(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!watched.has(stream)) {
    watched.add(stream);
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return stream;
}
