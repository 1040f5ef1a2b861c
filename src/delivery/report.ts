/**
 * What a trigger run says about its deliveries: the result of one delivery, the running summary and
 * the lines printed for people and scripts. Pure: no I/O, no clocks (durations are passed in).
 */
import type { NetworkCause } from "../http/errors.js";
import { failure } from "../errors.js";
import { escapeControl, safeJson } from "../terminal/escape.js";
import type { Output } from "../terminal/output.js";

/** Why a delivery got no HTTP answer; "interrupted" when Ctrl-C stopped it. */
export type NetworkErrorCode = NetworkCause | "interrupted";

export interface DeliveryResult {
  event: string;
  /** The payload id, also sent as X-Fanfare-Delivery-Id. */
  id: string;
  url: string;
  /** The receiver's HTTP status, or null when it never answered. */
  status: number | null;
  /** Any 2xx. */
  ok: boolean;
  durationMs: number;
  /** "connection refused", "timed out after 30 s", … when status is null. */
  error: string | null;
  errorCode: NetworkErrorCode | null;
  /** The start of the receiver's answer (truncated), for --verbose and failures. */
  responseBody: string;
}

export interface TriggerSummary {
  url: string;
  /** Deliveries the run meant to send (events × count). */
  planned: number;
  sent: number;
  ok: number;
  failed: number;
  /** Deliveries that never got an answer, by reason. */
  errors: Partial<Record<NetworkErrorCode, number>>;
  /** How many deliveries got each status, e.g. {"200": 52}. */
  statuses: Record<string, number>;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** True when Ctrl-C stopped the run before every delivery was sent. */
  interrupted: boolean;
}

interface SummaryOptions {
  planned: number;
  interrupted?: boolean;
}

export function isOk(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/**
 * Collects results one at a time (a run may hold 20,000 of them), keeping only counts and
 * durations.
 */
export class SummaryCollector {
  private readonly durations: number[] = [];
  private okCount = 0;
  private readonly statuses: Record<string, number> = {};
  private readonly errors: Partial<Record<NetworkErrorCode, number>> = {};
  /** The first delivery that failed, kept so the final error can quote it. */
  firstFailure: DeliveryResult | undefined;

  constructor(private readonly url: string) {}

  add(result: DeliveryResult): void {
    this.durations.push(result.durationMs);
    if (result.ok) this.okCount++;
    else this.firstFailure ??= result;
    if (result.status !== null) {
      const key = String(result.status);
      this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    } else if (result.errorCode !== null) {
      this.errors[result.errorCode] = (this.errors[result.errorCode] ?? 0) + 1;
    }
  }

  get sent(): number {
    return this.durations.length;
  }

  get failed(): number {
    return this.durations.length - this.okCount;
  }

  summary(elapsedMs: number, options: SummaryOptions): TriggerSummary {
    const sorted = Float64Array.from(this.durations).sort();
    return {
      url: this.url,
      planned: options.planned,
      sent: this.sent,
      ok: this.okCount,
      failed: this.failed,
      errors: { ...this.errors },
      statuses: { ...this.statuses },
      elapsedMs: round(elapsedMs),
      p50Ms: round(nearestRank(sorted, 50)),
      p99Ms: round(nearestRank(sorted, 99)),
      maxMs: round(sorted.length > 0 ? sorted[sorted.length - 1]! : 0),
      interrupted: options.interrupted ?? false,
    };
  }
}

function nearestRank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** `4 ms`, `<1 ms`, `1.2 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1) return "<1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Colour functions for the status only; identity functions when colour is off. */
interface StatusColors {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
}

const PLAIN: StatusColors = { green: (t) => t, yellow: (t) => t, red: (t) => t };

/** `200`, or `ERR` for no answer, coloured green 2xx, yellow 3xx/4xx, red 5xx and errors. */
export function statusText(result: Pick<DeliveryResult, "status">, colors: StatusColors = PLAIN): string {
  const { status } = result;
  if (status === null) return colors.red("ERR");
  if (status >= 200 && status < 300) return colors.green(String(status));
  if (status >= 500) return colors.red(String(status));
  return colors.yellow(String(status));
}

/**
 * Why a `listen` in between answered 502 or 504: it says so in a JSON body,
 * `{"error": "connection refused", "target": "http://localhost:3000/webhooks"}`, which becomes
 * "connection refused by http://localhost:3000/webhooks". Null for any other answer. The text comes
 * from the receiver, so control characters are escaped.
 */
function relayedCause(result: Pick<DeliveryResult, "status" | "responseBody">): string | null {
  if ((result.status !== 502 && result.status !== 504) || !result.responseBody.startsWith("{")) return null;
  let body: unknown;
  try {
    body = JSON.parse(result.responseBody);
  } catch {
    return null;
  }
  if (!body || typeof body !== "object") return null;
  const { error, target } = body as { error?: unknown; target?: unknown };
  if (typeof error !== "string" || error.trim() === "") return null;
  const cause = error.trim().slice(0, 300);
  if (typeof target !== "string" || target === "" || cause.includes(target)) return escapeControl(cause);
  const joiner = /^connection (refused|reset)/.test(cause) ? "by" : "at";
  return escapeControl(`${cause} ${joiner} ${target.slice(0, 300)}`);
}

/**
 * The line for people, Stripe-shaped: what went out, then what came back.
 *   --> draw.consumer.won [whk_01J…]  <-- [200] 4 ms
 *   --> draw.consumer.won [whk_01J…]  <-- [ERR] connection refused
 *   --> draw.consumer.won [whk_01J…]  <-- [502] connection refused by http://localhost:3000/webhooks 3 ms
 * With `showUrl` (several receivers got each delivery), where it went: `… 4 ms  (http://127.0.0.1:4100/webhooks)`.
 */
export function deliveryLine(result: DeliveryResult, colors: StatusColors = PLAIN, showUrl = false): string {
  // Event types and ids may come from outside (`--set id=…`, a replayed log): escaped here, once.
  const sent = `--> ${escapeControl(result.event)} [${escapeControl(result.id)}]`;
  const answer = `<-- [${statusText(result, colors)}]`;
  const where = showUrl ? `  (${result.url})` : "";
  if (result.status === null) return `${sent}  ${answer} ${result.error ?? "no answer"}${where}`;
  const cause = relayedCause(result);
  return `${sent}  ${answer} ${cause ? cause + " " : ""}${formatDuration(result.durationMs)}${where}`;
}

/**
 * The NDJSON record of one delivery (`--json`); `extra` keys follow trigger's (what `trigger
 * --endpoint` adds of where the platform's delivery stands).
 */
export function deliveryJson(result: DeliveryResult, extra?: Record<string, unknown>): string {
  // Written out by hand: a run may print 20,000 of these, and this is a few times cheaper than
  // JSON.stringify of an object (every string still goes through safeJson, so escaping is right).
  // A listen in between that could not reach the app says why: that is the error too.
  const error = result.error ?? relayedCause(result);
  return (
    `{"event":${safeJson(result.event)},"id":${safeJson(result.id)},"status":${result.status},` +
    `"ok":${result.ok},"durationMs":${round(result.durationMs)},"url":${safeJson(result.url)},` +
    `"error":${error === null ? "null" : safeJson(error)}` +
    (extra === undefined ? "}" : "," + safeJson(extra).slice(1))
  );
}

/**
 * `52 sent, 52 ok, 0 failed in 310 ms`; a run that stopped early says how far it got:
 * `12 of 52 sent, 12 ok, 0 failed in 80 ms (interrupted)`.
 */
export function summaryLine(summary: TriggerSummary): string {
  const sent = summary.sent < summary.planned ? `${summary.sent} of ${summary.planned}` : String(summary.sent);
  const line = `${sent} sent, ${summary.ok} ok, ${summary.failed} failed in ${formatDuration(summary.elapsedMs)}`;
  return summary.interrupted ? `${line} (interrupted)` : line;
}

/** `  1200/20000 sent, 0 failed`: the progress shown instead of every line for long runs. */
export function progressLine(done: number, total: number, failed: number): string {
  return `${String(done).padStart(String(total).length)}/${total} sent, ${failed} failed`;
}

interface RunFailureContext {
  /** Where the run sent, for the connection-refused message. */
  where: string;
  /** What to do when nothing listened there. */
  refusedHint: string;
  /** `deliveries` or `replayed deliveries`. */
  noun?: string;
}

/**
 * How a finished run of sends ends, for trigger and replay alike: its summary (a line, or
 * `{"summary"}` with --json), then exit 130 when interrupted, the error runFailure words when it
 * failed, else 0.
 */
export function endOfRun(
  outcome: { summary: TriggerSummary; firstFailure: DeliveryResult | undefined },
  out: Pick<Output, "json" | "print" | "printJson">,
  context: RunFailureContext,
): number {
  const { summary, firstFailure } = outcome;
  if (out.json) out.printJson({ summary });
  else out.print(summaryLine(summary));
  if (summary.interrupted) return 130;
  const ending = runFailure(summary, firstFailure, context);
  if (ending) throw failure(ending.message, ending.hint, ending.code);
  return 0;
}

/**
 * The error a finished run of sends ends with, or null when it succeeded: connection refused names
 * where, a failure names the first one and, when a listen in between could not reach the app, why.
 * One wording for trigger and replay, escaped because ids and event names may come from a log.
 */
function runFailure(
  summary: TriggerSummary,
  firstFailure: DeliveryResult | undefined,
  context: RunFailureContext,
): { message: string; hint: string; code: "connection_refused" | "delivery_failed" } | null {
  if (summary.errors.connection_refused) {
    const refusedAt = firstFailure?.errorCode === "connection_refused" ? firstFailure.url : context.where;
    return { message: `nothing is listening at ${escapeControl(refusedAt)} (connection refused)`, hint: context.refusedHint, code: "connection_refused" };
  }
  if (summary.failed === 0 || !firstFailure) return null;
  const cause = relayedCause(firstFailure);
  const first = firstFailure.status === null ? firstFailure.error : `got ${firstFailure.status}${cause ? `: ${cause}` : ""}`;
  return {
    message:
      `${summary.failed} of ${summary.sent} ${context.noun ?? "deliveries"} failed ` +
      `(first: ${escapeControl(firstFailure.event)} [${escapeControl(firstFailure.id)}] ${first})`,
    hint: failureHint(firstFailure, cause),
    code: "delivery_failed",
  };
}

/** What to do about the first failure: the app is not to blame for a delivery that was never sent. */
function failureHint(first: DeliveryResult, relayed: string | null): string {
  if (relayed) return "listen could not reach your app: start it, or check listen's --forward";
  if (first.errorCode === "invalid_header") {
    return "its id or event type holds a character no HTTP header can carry (not Latin-1, or a control character): change it";
  }
  return RECEIVER_FAILED_HINT;
}

/** The hint for a receiver that answered wrong (the MCP server words it for an agent instead). */
export const RECEIVER_FAILED_HINT = "a receiver must answer 2xx within 30 s; --verbose shows what it answered";
