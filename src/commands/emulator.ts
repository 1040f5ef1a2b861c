import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { failure, usageError } from "../errors.js";
import { type CommandContext, examples, lifecycleScope, parseIntFlag, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

interface EmulatorFlags {
  port: string;
  host: string;
  dataDir?: string;
  timeScale: string;
}

const DEFAULT_PORT = "8787";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export function registerEmulator(webhooks: Command, ctx: CommandContext): void {
  webhooks
    .command("emulator")
    .description("run the admin API locally, with a real delivery engine (offline development, tests)")
    .option("--port <n>", "port to listen on (0 picks a free one)", DEFAULT_PORT)
    .option("--host <address>", "address to bind (anything but loopback is reachable from other machines)", "127.0.0.1")
    .option("--data-dir <dir>", "keep endpoints, deliveries and pending retries in this folder across restarts")
    .option("--time-scale <n>", "divide every retry delay by n (600: 1 min becomes 0.1 s, the whole schedule ~64 s)", "1")
    .addHelpText(
      "after",
      "\nThe same REST contract as the admin API: endpoints, test events, the delivery log, redeliver,\n" +
        "pause/resume, rotate-secret and health. Deliveries are signed with the endpoint's secret and\n" +
        "retried on the real schedule (0, 1 min, 5 min, 30 min, 2 h, 8 h; divided by --time-scale).\n" +
        "It prints its API base and a throwaway API key (or accepts the global --api-key KEY) and an\n" +
        "export line for the other terminal. --verbose logs every request and delivery attempt.\n" +
        "State is in memory unless --data-dir is given (a snapshot and a journal there: each answer comes\n" +
        "once its change is on disk, so kill -9 loses nothing answered). Ctrl-C or SIGTERM stops it (exit 130).\n" +
        examples([
          ["fanfare webhooks emulator", "the admin API on http://127.0.0.1:8787/api"],
          ["fanfare webhooks emulator --data-dir .fanfare-emulator --time-scale 600 --verbose", "keep state, fast retries, log everything"],
          ["fanfare webhooks emulator --port 0 --json", "any free port; one JSON line {url, apiKey} for scripts"],
          ["fanfare webhooks emulator --api-key sk_test_local", "accept a fixed key"],
        ]),
    )
    .action(runWith(ctx, runEmulator));
}

function parseTimeScale(text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n <= 0) {
    throw usageError(`--time-scale must be a positive number, not "${text}"`, "e.g. --time-scale 600 (1 min becomes 0.1 s)", "invalid_flag");
  }
  return n;
}

/** Why the emulator could not start, as one line and what to do about it. */
function startError(error: unknown, port: number, host: string, dataDir: string | undefined) {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EADDRINUSE") {
    // A flag the user chose that cannot be honoured: a usage error (2), as with listen's --port.
    return usageError(`--port ${port}: port ${port} is already in use on ${host}`, "pass another --port, or --port 0 for any free one", "port_in_use");
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return usageError(`cannot listen on --host ${host} (${code})`, "use an address of this machine, e.g. 127.0.0.1", "invalid_flag");
  }
  if (code === "FANFARE_DATA_DIR_IN_USE") {
    const { pid, lockPath } = error as { pid: number; lockPath: string };
    return usageError(
      `--data-dir ${dataDir} is in use by another emulator (pid ${pid})`,
      `stop that one first, or pass another --data-dir (a lock left by a crash is taken over; ${lockPath} names the holder)`,
      "data_dir_in_use",
    );
  }
  if (code === "EACCES" && !dataDir) {
    return failure(`not allowed to listen on port ${port}`, "ports below 1024 need privileges: use --port 8787", "port_denied");
  }
  const message = (error as Error)?.message ?? String(error);
  if (dataDir) {
    return usageError(`cannot use --data-dir ${dataDir}: ${message}`, "pass a folder you can write, or move a broken state file away", "invalid_data_dir");
  }
  return failure(`the emulator could not start: ${message}`);
}

export async function runEmulator(options: GlobalOptions & EmulatorFlags, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const port = parseIntFlag("--port", options.port, 0, 65535, `e.g. --port ${DEFAULT_PORT}`);
  const timeScale = parseTimeScale(options.timeScale);
  const host = options.host.trim();
  if (host === "") throw usageError("--host is empty", "e.g. --host 127.0.0.1", "invalid_flag");
  let apiKey: string | undefined;
  if (options.apiKey !== undefined) {
    const { checkApiKey } = await import("../config/settings.js");
    apiKey = checkApiKey(options.apiKey, "--api-key", "pass letters, digits and punctuation only, e.g. --api-key sk_test_local");
  }

  // Listening for stop signals before anything starts, so a Ctrl-C during start-up is handled too.
  const scope = lifecycleScope(deps, out);
  const stamp = () => deps.now().toTimeString().slice(0, 8);
  const log = out.verbose ? (line: string) => out.stderr.write(`${out.style.dim(stamp())} ${line}\n`) : undefined;
  const { startEmulator } = await import("../emulator/index.js");
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      port,
      host,
      dataDir: options.dataDir,
      timeScale,
      apiKeys: apiKey ? [apiKey] : undefined,
      log,
    });
  } catch (error) {
    await scope.close();
    throw startError(error, port, host, options.dataDir);
  }
  scope.defer(() => emulator.close());
  for (const notice of emulator.notices) out.warn(notice);

  if (out.json) out.printJson({ url: emulator.url, apiKey: emulator.apiKey });
  else {
    out.print(`fanfare webhooks emulator: admin API on ${emulator.url}`);
    out.print(`API key: ${emulator.apiKey}`);
    out.print(`export FANFARE_API_BASE=${emulator.url} FANFARE_SECRET_KEY=${emulator.apiKey}`);
    const state = options.dataDir
      ? `state in ${options.dataDir}` + (emulator.resumed > 0 ? ` (${emulator.resumed} pending deliveries resumed)` : "")
      : "state in memory (--data-dir DIR keeps it)";
    const scale = timeScale === 1 ? "" : `; retry delays ÷ ${timeScale}`;
    out.info(out.style.dim(`${state}${scale}; run the export line in another terminal; Ctrl-C stops`));
  }
  if (!LOOPBACK.has(host)) out.warn(`listening on ${host}: other machines can reach it (anyone with the key can use it)`);

  const { signal, code } = await scope.stopped;
  for (const warning of await scope.close()) out.warn(warning);
  out.info(out.style.dim(`emulator stopped (${signal})`));
  // Like listen: stopped from outside (Ctrl-C, kill, a service manager) is an interruption.
  return code;
}
