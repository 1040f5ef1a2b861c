import type { DeliveryStatus } from "../api/types.js";
import type { LogEvent } from "./log-tracker.js";

/**
 * One NDJSON object per new delivery and per new attempt, for `deliveries tail --json` and any
 * output that is not a terminal (`| jq`):
 *
 *   {"time":"…","endpoint":"we_…","delivery":"whk_…","event":"order.created","attempt":1,
 *    "status":"retrying","statusCode":500,"error":null,"durationMs":3,"nextAttemptAt":"…"}
 *
 * `attempt` is 0 and `status` "pending" for a delivery seen before its first attempt; `status` is
 * the delivery's status right after that attempt; `nextAttemptAt` is set on the latest attempt of a
 * delivery that will be retried.
 */
interface LogLine {
  time: string;
  endpoint: string;
  delivery: string;
  event: string;
  attempt: number;
  status: DeliveryStatus;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
  nextAttemptAt: string | null;
}

export function logLine(event: LogEvent): LogLine {
  const { delivery, attempt } = event;
  const latest = attempt === null || attempt.attempt === delivery.attempts.at(-1)?.attempt;
  return {
    time: attempt?.startedAt ?? delivery.createdAt,
    endpoint: event.endpointId,
    delivery: delivery.id,
    event: delivery.eventType,
    attempt: attempt?.attempt ?? 0,
    status: event.status,
    statusCode: attempt?.statusCode ?? null,
    error: attempt?.error ?? null,
    durationMs: attempt?.durationMs ?? null,
    nextAttemptAt: latest ? delivery.nextAttemptAt : null,
  };
}

/** `--status` and `--events`: which lines and which new rows are shown. */
export interface LogFilter {
  status?: DeliveryStatus;
  event: (eventType: string) => boolean;
}

export function passes(filter: LogFilter, status: DeliveryStatus, eventType: string): boolean {
  return (filter.status === undefined || status === filter.status) && filter.event(eventType);
}
