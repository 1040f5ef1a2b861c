import type { Delivery, DeliveryAttempt, DeliveryStatus } from "../api/types.js";
import { classifyAttempt, nextAttemptDelayMs } from "../delivery/retry-policy.js";

/**
 * What `deliveries tail` has seen of the platform's delivery log, and what is news in each page a
 * poll brings back. Pure: pages in, events out; the poller owns the clock and the requests.
 */

/** One thing to report: a new delivery not attempted yet (attempt null), or one new attempt. */
export interface LogEvent {
  endpointId: string;
  delivery: Delivery;
  /** null for a delivery seen before its first attempt. */
  attempt: DeliveryAttempt | null;
  /** The delivery's status right after this attempt (its current status for the latest one). */
  status: DeliveryStatus;
}

export interface PageChanges {
  /** New deliveries and new attempts, oldest first. */
  events: LogEvent[];
  /** Every delivery in the page that differs from what was seen (for the live view's rows). */
  changed: Delivery[];
}

/** Deliveries remembered; past this the oldest are forgotten (the platform keeps 100 per endpoint). */
const KNOWN_LIMIT = 20_000;

/**
 * A poll asks again from a little before the newest `updatedAt` it has seen, so a change written
 * slightly out of order on the server is not skipped; what comes back twice is recognised here.
 */
export const CURSOR_OVERLAP_MS = 1000;

interface Seen {
  attempts: number;
  status: DeliveryStatus;
  updatedAt: string;
}

export class DeliveryLogTracker {
  private readonly known = new Map<string, Seen>();
  private readonly newest = new Map<string, number>();
  private readonly baselined = new Set<string>();

  /**
   * @param reportFrom epoch ms: on an endpoint's first page, deliveries last updated before this are
   * taken as already seen (the start of the tail, or `--since` before it).
   */
  constructor(private readonly reportFrom: number) {}

  /**
   * The `since` to ask this endpoint's log with: from the newest `updatedAt` seen (the server's own
   * clock, so a skewed local clock loses nothing), or undefined for the whole log (at most 100) on
   * the first poll and while the log is empty.
   */
  since(endpointId: string): string | undefined {
    const newest = this.newest.get(endpointId);
    return newest === undefined ? undefined : new Date(Math.max(0, newest - CURSOR_OVERLAP_MS)).toISOString();
  }

  /** Reads one page (any order) of an endpoint's log; returns what is new in it. */
  observe(endpointId: string, page: readonly Delivery[]): PageChanges {
    const first = !this.baselined.has(endpointId);
    this.baselined.add(endpointId);
    const events: LogEvent[] = [];
    const changed: Delivery[] = [];
    const ordered = [...page].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.createdAt.localeCompare(b.createdAt));
    for (const delivery of ordered) {
      const updated = Date.parse(delivery.updatedAt);
      if (Number.isFinite(updated) && updated > (this.newest.get(endpointId) ?? -Infinity)) this.newest.set(endpointId, updated);
      const key = `${endpointId} ${delivery.id}`;
      const seen = this.known.get(key);
      const attempts = delivery.attempts.length;
      if (seen && seen.attempts === attempts && seen.status === delivery.status && seen.updatedAt === delivery.updatedAt) continue;
      this.remember(key, { attempts, status: delivery.status, updatedAt: delivery.updatedAt });
      if (!seen && first && !(updated >= this.reportFrom)) continue;
      changed.push(delivery);
      const from = seen?.attempts ?? 0;
      if (!seen && attempts === 0) events.push({ endpointId, delivery, attempt: null, status: delivery.status });
      const after = from < attempts - 1 ? statusesAfter(delivery.attempts) : [];
      for (let i = from; i < attempts; i++) {
        const attempt = delivery.attempts[i]!;
        events.push({ endpointId, delivery, attempt, status: i === attempts - 1 ? delivery.status : after[i]! });
      }
    }
    return { events, changed };
  }

  private remember(key: string, seen: Seen): void {
    // Re-inserted so that Map order is least recently changed first.
    this.known.delete(key);
    this.known.set(key, seen);
    if (this.known.size > KNOWN_LIMIT) this.known.delete(this.known.keys().next().value!);
  }
}

/**
 * The status each attempt left its delivery in, read from the attempts alone. A run of the retry
 * schedule ends at a success, a final answer or its last attempt; an attempt after that is a
 * redelivery, which starts a run of its own. So a failed attempt followed by another was a retry
 * unless it ended its run (permanently_failed). A guess where attempts cannot tell: a redelivery
 * made while a run was still retrying starts a new run too, and is counted as part of the old one.
 * People mostly redeliver what has stopped, so the guess favours that.
 */
function statusesAfter(attempts: readonly DeliveryAttempt[]): DeliveryStatus[] {
  let inRun = 0;
  return attempts.map((attempt) => {
    inRun++;
    const outcome = classifyAttempt(attempt);
    const status: DeliveryStatus =
      outcome === "success" ? "succeeded" : outcome === "final" ? "failed" : nextAttemptDelayMs(inRun) === null ? "permanently_failed" : "retrying";
    if (status !== "retrying") inRun = 0;
    return status;
  });
}
