import { DELIVERY_STATUSES, type DeliveryStatus } from "../api/types.js";
import type { GlobalOptions } from "../config/globals.js";
import { usageError } from "../errors.js";
import { escapeControl } from "../terminal/escape.js";
import { lifecycleScope, outputOf, parseDurationFlag } from "./context.js";
import type { CommandDeps } from "./deps.js";

export interface TailOptions {
  endpointId?: string[];
  all?: boolean;
  status?: string;
  events?: string;
  since?: string;
  interval?: string;
}

export const DEFAULT_INTERVAL = "2s";

/** `fanfare webhooks deliveries tail`: flags to a TailConfig, then src/tail/run.ts does the work. */
export async function tailDeliveries(options: GlobalOptions & TailOptions, deps: CommandDeps): Promise<number> {
  const out = outputOf(options, deps);
  const endpoints = [...new Set(options.endpointId ?? [])];
  const all = Boolean(options.all);
  if (all && endpoints.length > 0) {
    throw usageError("name endpoints or pass --all, not both", "e.g. deliveries tail we_123, or deliveries tail --all", "invalid_flag");
  }
  if (!all && endpoints.length === 0) {
    throw usageError("which endpoint? name one or more, or pass --all", "e.g. fanfare webhooks deliveries tail we_123", "missing_endpoint");
  }
  const status = parseStatusFlag(options.status);
  const intervalMs = parseDurationFlag("--interval", options.interval ?? DEFAULT_INTERVAL, 100, 3_600_000, "2s");
  const sinceMs = options.since === undefined ? 0 : parseDurationFlag("--since", options.since, 0, 30 * 86_400_000, "10m");

  const { eventPatternMatcher } = await import("../events/event-pattern.js");
  const { wantsLiveView } = await import("../listen/options.js");
  const { client, settings } = await deps.connectApi(options, out, { maxRetries: 0 });
  const { runTail } = await import("../tail/run.js");
  const { stdin, stdout } = deps;
  const now = () => deps.now().getTime();
  return runTail(
    {
      client,
      endpoints,
      all,
      intervalMs,
      reportFrom: now() - sinceMs,
      filter: { status, event: eventPatternMatcher(options.events ?? "") },
      info: {
        mode: "tail",
        endpoints: endpoints.map((id) => escapeControl(id)),
        all,
        apiBase: escapeControl(settings.apiBase),
        intervalMs,
        status: status ?? null,
        events: options.events ? escapeControl(options.events) : null,
      },
      tui: wantsLiveView({ stdin, stdout }, out.json, deps.env),
      terminal: { stdin: stdin as NodeJS.ReadStream, stdout: stdout as NodeJS.WriteStream },
      now,
    },
    out,
    lifecycleScope(deps, out),
  );
}

/** `--status` of `deliveries list` and `tail`: one of the delivery statuses, or a usage error (2). */
export function parseStatusFlag(value: string | undefined): DeliveryStatus | undefined {
  if (value === undefined) return undefined;
  if (!(DELIVERY_STATUSES as readonly string[]).includes(value)) {
    throw usageError(`unknown status "${value}"`, `use one of: ${DELIVERY_STATUSES.join(", ")}`, "invalid_status");
  }
  return value as DeliveryStatus;
}
