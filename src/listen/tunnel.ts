import { accessSync, constants, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { CliError, ExitCode, failure, usageError } from "../errors.js";

const CLOUDFLARED_ENV = "CLOUDFLARED_BIN";
const EXE = process.platform === "win32" ? "cloudflared.exe" : "cloudflared";
const INSTALL_HINT =
  "install cloudflared (https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/), " +
  `set ${CLOUDFLARED_ENV}=/path/to/cloudflared, or run without a tunnel: --tunnel none`;
/** A quick tunnel usually reports its URL in 2–5 s; past this something is wrong (offline, blocked). */
export const TUNNEL_START_TIMEOUT_MS = 45_000;

interface CloudflaredBinary {
  path: string;
  from: "env" | "package" | "path";
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the `cloudflared` npm package installs its binary (it may not have downloaded one). */
function packageBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve("cloudflared");
    return join(dirname(main), "..", "bin", EXE);
  } catch {
    return null;
  }
}

/**
 * The cloudflared binary to run: CLOUDFLARED_BIN when set (and then it must exist), else the one the
 * `cloudflared` npm package installed, else the first on PATH. Missing everywhere is a configuration
 * problem (exit 2) with a hint that says how to get one or how to do without.
 */
export function findCloudflared(env: NodeJS.ProcessEnv): CloudflaredBinary {
  const fromEnv = env[CLOUDFLARED_ENV];
  if (fromEnv) {
    if (isExecutableFile(fromEnv)) return { path: fromEnv, from: "env" };
    throw usageError(
      `${CLOUDFLARED_ENV}=${fromEnv} is not an executable file`,
      `point ${CLOUDFLARED_ENV} at the cloudflared binary, or run without a tunnel: --tunnel none`,
      "cloudflared_missing",
    );
  }
  const fromPackage = packageBinary();
  if (fromPackage && existsSync(fromPackage) && isExecutableFile(fromPackage)) return { path: fromPackage, from: "package" };
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, EXE);
    if (isExecutableFile(candidate)) return { path: candidate, from: "path" };
  }
  throw usageError("cloudflared is not installed (needed for the public tunnel)", INSTALL_HINT, "cloudflared_missing");
}

export interface QuickTunnel {
  /** https://<name>.trycloudflare.com */
  url: string;
  pid: number | undefined;
  /** Settles when cloudflared exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops cloudflared (SIGINT, then SIGKILL if it lingers) and waits for it to go. */
  stop(): Promise<void>;
  /**
   * Kills cloudflared at once (SIGKILL), synchronously, for a listen that leaves without waiting (a
   * second Ctrl-C): a graceful cloudflared would wait out requests in flight, outliving us.
   */
  kill(): void;
}

interface QuickTunnelOptions {
  binary: CloudflaredBinary;
  timeoutMs?: number;
  /** Each line cloudflared logs (for --verbose). */
  onLog?: (line: string) => void;
  /**
   * Gives up waiting for the URL (Ctrl-C during a slow start): cloudflared is stopped and the promise
   * rejects with TunnelStartAborted, instead of holding the session for up to the start timeout.
   */
  signal?: AbortSignal;
  /**
   * cloudflared's connection to Cloudflare registered or terminated (from its log, as the package
   * reads it): a tunnel whose connection stays terminated has stopped answering though it still runs.
   */
  onConnection?: (state: "connected" | "disconnected") => void;
}

/** startQuickTunnel was aborted through its signal; cloudflared has been stopped. */
export class TunnelStartAborted extends Error {
  constructor() {
    super("tunnel start aborted");
    this.name = "TunnelStartAborted";
  }
}

/**
 * Opens a cloudflared quick tunnel (no account) to `localUrl` through the `cloudflared` package's
 * Tunnel API, resolving once cloudflared has logged its public URL. The package is imported here,
 * lazily: nothing else in the CLI pays for it.
 */
export async function startQuickTunnel(localUrl: string, options: QuickTunnelOptions): Promise<QuickTunnel> {
  if (options.signal?.aborted) throw new TunnelStartAborted();
  const { Tunnel, use } = await import("cloudflared");
  use(options.binary.path);
  const tunnel = Tunnel.quick(localUrl);
  const child = tunnel.process;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
    // A spawn failure emits "error" and then no "exit" on some platforms.
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  const recent: string[] = [];
  const onOutput = (data: string): void => {
    for (const line of data.split(/\r?\n/)) {
      if (line.trim() === "") continue;
      options.onLog?.(line);
      recent.push(line);
      if (recent.length > 20) recent.shift();
    }
  };
  tunnel.on("stdout", onOutput);
  tunnel.on("stderr", onOutput);
  if (options.onConnection) {
    const onConnection = options.onConnection;
    tunnel.on("connected", () => onConnection("connected"));
    tunnel.on("disconnected", () => onConnection("disconnected"));
  }

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    tunnel.stop();
    const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(killer);
  };

  let spawnError: Error | null = null;
  tunnel.on("error", (error) => (spawnError ??= error));

  let onAbort: (() => void) | null = null;
  const url = await new Promise<string>((resolve, reject) => {
    if (options.signal) {
      onAbort = () => {
        clearTimeout(timer);
        reject(new TunnelStartAborted());
      };
      if (options.signal.aborted) queueMicrotask(onAbort);
      else options.signal.addEventListener("abort", onAbort, { once: true });
    }
    const timer = setTimeout(() => {
      reject(
        failure(
          `cloudflared gave no tunnel URL within ${Math.ceil((options.timeoutMs ?? TUNNEL_START_TIMEOUT_MS) / 1000)} s`,
          lastWords(recent) + "check your connection, or run without a tunnel: --tunnel none",
          "tunnel_failed",
        ),
      );
    }, options.timeoutMs ?? TUNNEL_START_TIMEOUT_MS);
    const onUrl = (found: string): void => {
      // cloudflared's own errors quote https://api.trycloudflare.com/tunnel, which the package's
      // URL pattern also matches; that is not a tunnel.
      if (/^https:\/\/api\.trycloudflare\.com/.test(found)) return;
      clearTimeout(timer);
      tunnel.off("url", onUrl);
      resolve(found);
    };
    tunnel.on("url", onUrl);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(startFailure(options.binary, spawnError, code, signal, recent));
    });
  })
    .catch(async (error: unknown) => {
      await stop();
      throw error;
    })
    .finally(() => {
      if (onAbort) options.signal!.removeEventListener("abort", onAbort);
    });
  tunnel.off("stdout", onOutput);
  tunnel.off("stderr", onOutput);
  if (options.onLog) {
    tunnel.on("stdout", (d) => d.split(/\r?\n/).filter(Boolean).forEach((l) => options.onLog!(l)));
    tunnel.on("stderr", (d) => d.split(/\r?\n/).filter(Boolean).forEach((l) => options.onLog!(l)));
  }
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  return { url, pid: child.pid, exited, stop, kill };
}

function lastWords(lines: string[]): string {
  const last = [...lines].reverse().find((l) => /\b(ERR|error|failed)\b/i.test(l)) ?? lines.at(-1);
  return last ? `cloudflared said: ${last.replace(/^\S+Z\s+/, "").slice(0, 200)}; ` : "";
}

function startFailure(
  binary: CloudflaredBinary,
  spawnError: Error | null,
  code: number | null,
  signal: NodeJS.Signals | null,
  recent: string[],
): CliError {
  const errno = (spawnError as NodeJS.ErrnoException | null)?.code;
  if (errno === "ENOENT" || errno === "EACCES") {
    return usageError(`cannot run cloudflared at ${binary.path} (${errno})`, INSTALL_HINT, "cloudflared_missing");
  }
  const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
  return new CliError(`cloudflared ${how} before the tunnel was up`, {
    exitCode: ExitCode.failure,
    hint: lastWords(recent) + "run without a tunnel: --tunnel none",
    code: "tunnel_failed",
  });
}
