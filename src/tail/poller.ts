import type { ApiClient } from "../api/client.js";
import { ApiError } from "../api/errors.js";
import { failure } from "../errors.js";
import type { DeliveryLogPollState } from "../listen/types.js";
import type { DeliveryLogTracker, PageChanges } from "./log-tracker.js";
import { sleep } from "../lifecycle/sleep.js";

/**
 * The delivery-log poller of `deliveries tail`: every interval it asks each endpoint's log for what
 * changed since the newest `updatedAt` it has seen, and hands the news on. It owns its retry policy
 * (the client it is given makes no retries of its own), so every wait can be shown: a 429 waits for
 * Retry-After, an unreachable or failing API backs off (interval, doubling, up to 30 s) and polling
 * resumes by itself. A refused key ends it; so does losing every endpoint it was asked to tail.
 */

export type PollStatus = DeliveryLogPollState;

interface PollerOptions {
  client: ApiClient;
  tracker: DeliveryLogTracker;
  /** The endpoints named on the command line; ignored with `all`. */
  endpoints: readonly string[];
  /** Every endpoint, listed again on each round (new ones join, deleted ones leave). */
  all: boolean;
  intervalMs: number;
  signal: AbortSignal;
  now?: () => number;
  onChanges: (endpointId: string, changes: PageChanges) => void;
  onStatus?: (status: PollStatus) => void;
  /** Said once for things the person watching should know (an endpoint deleted, the API back). */
  onNotice?: (text: string) => void;
}

const MAX_BACKOFF_MS = 30_000;
/** Endpoints asked at once in one round. */
const CONCURRENCY = 4;

/** Resolves when `signal` aborts; rejects with the CliError that ended polling otherwise. */
export async function pollDeliveryLog(options: PollerOptions): Promise<void> {
  const { client, signal } = options;
  const now = options.now ?? Date.now;
  let endpoints = [...options.endpoints];
  let failures = 0;
  options.onStatus?.({ state: "starting" });

  while (!signal.aborted) {
    let waitMs = options.intervalMs;
    try {
      if (options.all) endpoints = (await client.listEndpoints()).map((e) => e.id);
      const gone = await pollRound(endpoints, options);
      if (signal.aborted) return;
      if (gone.length > 0) {
        endpoints = endpoints.filter((id) => !gone.includes(id));
        if (!options.all) {
          for (const id of gone) options.onNotice?.(`endpoint ${id} was deleted; no longer tailed`);
          if (endpoints.length === 0) throw failure("every endpoint tailed was deleted", "list endpoints with `fanfare webhooks endpoints list`", "endpoint_deleted");
        }
      }
      if (failures > 0) options.onNotice?.("the API answers again; polling resumed");
      failures = 0;
      options.onStatus?.({ state: "polling", lastPollAt: now(), endpoints: endpoints.length });
    } catch (error) {
      if (signal.aborted) return;
      const retry = retryable(error);
      if (!retry) throw error;
      failures++;
      waitMs =
        retry.why === "rate_limited"
          ? Math.max(options.intervalMs, retry.retryAfterMs ?? backoff(options.intervalMs, failures))
          : backoff(options.intervalMs, failures);
      options.onStatus?.({ state: "waiting", why: retry.why, message: retry.message, retryAt: now() + waitMs, endpoints: endpoints.length });
    }
    await sleep(waitMs, signal);
  }
}

/** interval, 2×, 4× … up to MAX_BACKOFF_MS (never shorter than the interval). */
export function backoff(intervalMs: number, failures: number): number {
  return Math.max(intervalMs, Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.max(0, failures - 1)));
}

/** Polls each endpoint once; returns those that no longer exist. */
async function pollRound(endpoints: readonly string[], options: PollerOptions): Promise<string[]> {
  const gone: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < endpoints.length && !options.signal.aborted) {
      const id = endpoints[next++]!;
      try {
        const since = options.tracker.since(id);
        const page = await options.client.listDeliveries(id, since === undefined ? { limit: 100 } : { limit: 100, since });
        if (options.signal.aborted) return;
        const changes = options.tracker.observe(id, page);
        if (changes.changed.length > 0) options.onChanges(id, changes);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) gone.push(id);
        else throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, endpoints.length) }, worker));
  return gone;
}

/** Whether polling should go on after this error, and how it is shown; null when it cannot. */
function retryable(error: unknown): { why: "rate_limited" | "unreachable"; message: string; retryAfterMs?: number } | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 429) return { why: "rate_limited", message: error.message, retryAfterMs: error.retryAfterMs };
  if (error.status === null || error.status >= 500) return { why: "unreachable", message: error.message };
  return null;
}
