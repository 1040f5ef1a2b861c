import type { ApiClient } from "../api/client.js";
import { ApiError } from "../api/errors.js";
import { failure, isCliError, usageError, type CliError } from "../errors.js";
import type { LifecycleScope, StopRequest } from "../lifecycle/scope.js";
import type { DeliveryLogInfo } from "../listen/types.js";
import { safeJson } from "../terminal/escape.js";
import { LineWriter } from "../terminal/line-writer.js";
import type { Output } from "../terminal/output.js";
import { logLine, passes, type LogFilter } from "./log-lines.js";
import { DeliveryLogTracker } from "./log-tracker.js";
import { pollDeliveryLog, type PollStatus } from "./poller.js";

export interface TailConfig {
  client: ApiClient;
  /** Endpoint ids named on the command line; empty with `all`. */
  endpoints: string[];
  all: boolean;
  intervalMs: number;
  /** Epoch ms: changes from here on are reported (the start, or `--since` before it). */
  reportFrom: number;
  filter: LogFilter;
  /** The header's facts (escaped). */
  info: DeliveryLogInfo;
  /** The live view (a terminal on both ends, no --json) or NDJSON lines. */
  tui: boolean;
  terminal: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
  now: () => number;
}

/**
 * `deliveries tail` from start to exit: checks the endpoints exist, then polls their delivery logs
 * and feeds what changed to the live view or to NDJSON lines, until `q`, Ctrl-C/SIGTERM/SIGHUP
 * (130), or an error polling cannot get past (a refused key: 1). Resolves to the exit code.
 */
export async function runTail(config: TailConfig, out: Output, scope: LifecycleScope): Promise<number> {
  const { client } = config;
  scope.defer(() => client.close());
  try {
    await checkEndpoints(client, config);
  } catch (error) {
    await scope.close();
    throw error;
  }
  if (scope.stopping) return finish(await scope.stopped);

  const tracker = new DeliveryLogTracker(config.reportFrom);
  const what = config.all ? "every endpoint" : config.info.endpoints.join(", ");
  const every = `${config.intervalMs / 1000} s`;
  let ready = false;
  const onReady = (status: PollStatus): void => {
    if (ready || status.state !== "polling") return;
    ready = true;
    if (out.json) out.stderr.write(safeJson({ tailing: { endpoints: config.info.endpoints, all: config.all, intervalMs: config.intervalMs } }) + "\n");
    else if (!config.tui) out.info(out.style.dim(`tailing ${what}, polling every ${every} (Ctrl-C stops)`));
  };

  let poll: Parameters<typeof pollDeliveryLog>[0];
  const base = {
    client,
    tracker,
    endpoints: config.endpoints,
    all: config.all,
    intervalMs: config.intervalMs,
    signal: scope.signal,
    now: config.now,
  };

  if (config.tui) {
    const { createLogViewFeed } = await import("./log-view-source.js");
    const feed = createLogViewFeed({
      info: config.info,
      filter: config.filter,
      redeliver: (endpointId, deliveryId) => client.redeliver(endpointId, deliveryId),
    });
    const { renderLiveViewInScope } = await import("../listen/view/listen-view.js");
    await renderLiveViewInScope(feed.source, { stdout: config.terminal.stdout, stdin: config.terminal.stdin, color: out.color }, scope);
    poll = {
      ...base,
      onChanges: (endpointId, changes) => feed.push(endpointId, changes.changed),
      onStatus: (status) => {
        onReady(status);
        feed.setPolling(status);
      },
      onNotice: (text) => feed.notice(text),
    };
  } else {
    const writer = new LineWriter(out.stdout);
    scope.defer(() => writer.flush());
    let lastWait = "";
    poll = {
      ...base,
      onChanges: (_endpointId, changes) => {
        for (const event of changes.events) {
          if (passes(config.filter, event.status, event.delivery.eventType)) writer.write(safeJson(logLine(event)));
        }
      },
      onStatus: (status) => {
        onReady(status);
        // Said once per kind of trouble, not on every retry; a script still sees it on stderr.
        if (status.state !== "waiting") {
          lastWait = "";
          return;
        }
        const wait = `${status.why}: ${status.message}`;
        if (wait !== lastWait) out.warn(`${status.message}; polling again in ${Math.ceil((status.retryAt - config.now()) / 1000)} s`);
        lastWait = wait;
      },
      onNotice: (text) => out.warn(text),
    };
  }

  pollDeliveryLog(poll).then(
    () => {},
    (error: unknown) => {
      const cliError: CliError = isCliError(error)
        ? error
        : failure(`polling stopped: ${error instanceof Error ? error.message : String(error)}`, "run again with --verbose");
      scope.stop({ code: cliError.exitCode, error: cliError });
    },
  );

  return finish(await scope.stopped);

  async function finish(request: StopRequest): Promise<number> {
    for (const warning of await scope.close()) out.warn(warning);
    if (request.error) out.error(request.error);
    return request.error ? request.error.exitCode : request.code;
  }
}

/** An endpoint that does not exist is a usage error (2), said before any polling starts. */
async function checkEndpoints(client: ApiClient, config: TailConfig): Promise<void> {
  if (config.all) {
    await client.listEndpoints();
    return;
  }
  for (const id of config.endpoints) {
    try {
      await client.getEndpoint(id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        throw usageError(`unknown endpoint ${id}`, "list endpoints with `fanfare webhooks endpoints list`", "unknown_endpoint");
      }
      throw error;
    }
  }
}
