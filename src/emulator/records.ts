import type { Delivery, DeliveryAttempt, DeliveryStatus, EndpointHealth } from "../api/types.js";
import { classifyAttempt, nextAttemptDelayMs } from "../delivery/retry-policy.js";
import type { DeliveryRecord } from "./persist.js";
import type { AttemptResult } from "./send.js";

/**
 * The delivery log's rules, without I/O or clocks of its own: the engine passes `now` in and
 * stores what comes back. Every function returns a new record rather than changing the one given.
 */

/** Deliveries kept per endpoint: the platform keeps the last 100. */
export const DELIVERIES_KEPT = 100;

/**
 * The largest delivery body the emulator sends and keeps (every attempt and redelivery resends it
 * byte for byte, so it is never cut): with 100 kept per endpoint, this is what bounds memory.
 * A test event larger than this is refused with 413.
 */
export const STORED_BODY_LIMIT = 256 * 1024;

interface NewDeliveryInput {
  id: string;
  endpointId: string;
  eventType: string;
  url: string;
  /** The exact bytes every attempt and redelivery sends. */
  body: string;
  now: Date;
}

/** A delivery that exists but has not been attempted yet. */
export function newDeliveryRecord(input: NewDeliveryInput): DeliveryRecord {
  const at = input.now.toISOString();
  return {
    runStart: 0,
    delivery: {
      id: input.id,
      endpointId: input.endpointId,
      eventType: input.eventType,
      status: "pending",
      attempt: 0,
      createdAt: at,
      updatedAt: at,
      nextAttemptAt: at,
      request: { url: input.url, headers: {}, body: input.body },
      response: null,
      error: null,
      durationMs: null,
      attempts: [],
    },
  };
}

/**
 * A redelivery starts a fresh run of the retry schedule on the same delivery (same id, same body):
 * its attempts keep counting up, and the schedule restarts from the first slot.
 */
export function startRedelivery(record: DeliveryRecord, now: Date): DeliveryRecord {
  const at = now.toISOString();
  return {
    runStart: record.delivery.attempt,
    delivery: { ...record.delivery, status: "pending", nextAttemptAt: at, updatedAt: at },
  };
}

interface AttemptInput {
  result: AttemptResult;
  url: string;
  requestHeaders: Record<string, string>;
  startedAt: Date;
  /** When the attempt ended; the next one is scheduled from here. */
  now: Date;
  timeScale: number;
}

/**
 * The record after one attempt: 2xx succeeded; a final 4xx failed; anything else retrying on the
 * schedule (divided by timeScale), or permanently_failed once the run's attempts are used up.
 */
export function applyAttempt(record: DeliveryRecord, input: AttemptInput): DeliveryRecord {
  const { result } = input;
  const previous = record.delivery;
  const attemptNumber = previous.attempt + 1;
  const attempt: DeliveryAttempt = {
    attempt: attemptNumber,
    startedAt: input.startedAt.toISOString(),
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
    requestHeaders: input.requestHeaders,
    responseHeaders: result.responseHeaders,
    responseBody: result.responseBody,
    ...(result.responseTruncated ? { responseTruncated: true } : {}),
  };

  let status: DeliveryStatus;
  let nextAttemptAt: string | null = null;
  const outcome = classifyAttempt(result);
  if (outcome === "success") status = "succeeded";
  else if (outcome === "final") status = "failed";
  else {
    const delay = nextAttemptDelayMs(attemptNumber - record.runStart, input.timeScale);
    if (delay === null) status = "permanently_failed";
    else {
      status = "retrying";
      nextAttemptAt = new Date(input.now.getTime() + delay).toISOString();
    }
  }

  const delivery: Delivery = {
    ...previous,
    status,
    attempt: attemptNumber,
    updatedAt: input.now.toISOString(),
    nextAttemptAt,
    request: { url: input.url, headers: input.requestHeaders, body: previous.request.body },
    response: {
      statusCode: result.statusCode,
      headers: result.responseHeaders,
      body: result.responseBody,
      ...(result.responseTruncated ? { truncated: true } : {}),
    },
    error: result.error,
    durationMs: result.durationMs,
    attempts: [...previous.attempts, attempt],
  };
  return { runStart: record.runStart, delivery };
}

/** Newest first, the new one added, the oldest beyond `kept` dropped (returned, to cancel their timers). */
export function addNewest(
  list: readonly DeliveryRecord[],
  record: DeliveryRecord,
  kept = DELIVERIES_KEPT,
): { list: DeliveryRecord[]; dropped: DeliveryRecord[] } {
  const all = [record, ...list.filter((r) => r.delivery.id !== record.delivery.id)];
  return { list: all.slice(0, kept), dropped: all.slice(kept) };
}

/**
 * `GET …/deliveries?status=&limit=&since=`: newest first, filtered, at most `limit`. `since` (epoch
 * ms) keeps the deliveries created or updated at or after it, so a poller that asks again from the
 * newest `updatedAt` it saw gets only what changed (and the ones at that very millisecond again).
 */
export function selectDeliveries(
  list: readonly DeliveryRecord[],
  status?: DeliveryStatus,
  limit = DELIVERIES_KEPT,
  since?: number,
): Delivery[] {
  const chosen = list.filter(
    (r) =>
      (!status || r.delivery.status === status) &&
      (since === undefined || Date.parse(r.delivery.updatedAt) >= since),
  );
  return chosen.slice(0, limit).map((r) => r.delivery);
}

/**
 * Healthy when the most recent attempt got a 2xx (or nothing was sent yet). The success rate is
 * over the deliveries attempted at least once: a delivery still retrying has not succeeded.
 */
export function endpointHealth(list: readonly DeliveryRecord[]): EndpointHealth {
  let latest: DeliveryAttempt | undefined;
  let attempted = 0;
  let succeeded = 0;
  for (const { delivery } of list) {
    if (delivery.attempts.length === 0) continue;
    attempted++;
    if (delivery.status === "succeeded") succeeded++;
    const last = delivery.attempts[delivery.attempts.length - 1]!;
    if (!latest || last.startedAt > latest.startedAt) latest = last;
  }
  const ok = latest ? classifyAttempt(latest) === "success" : true;
  return {
    healthy: ok,
    lastDelivery: latest?.startedAt ?? null,
    successRate: attempted === 0 ? null : succeeded / attempted,
  };
}
