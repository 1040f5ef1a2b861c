import type { Delivery } from "../api/types.js";
import type { DeliveryLogInfo, DeliveryLogPollState, DeliveryLogSource, DeliveryRecord } from "../listen/types.js";
import { passes, type LogFilter } from "./log-lines.js";

/**
 * The platform's delivery log as a source for listen's live view: each delivery becomes a
 * DeliveryRecord (its latest attempt as the record's `target`, the rest under `platform`) with a
 * seq of its own, sent again under the same seq whenever the poller brings a change.
 */
interface LogViewFeed {
  source: DeliveryLogSource;
  /** Deliveries that changed (new ones are added when they pass the filter; known ones always update). */
  push(endpointId: string, deliveries: readonly Delivery[]): void;
  setPolling(state: DeliveryLogPollState): void;
  /** A line for the view's status line (an endpoint deleted, the API back). */
  notice(text: string): void;
}

interface LogViewOptions {
  info: DeliveryLogInfo;
  filter: LogFilter;
  redeliver: (endpointId: string, deliveryId: string) => Promise<Delivery>;
}

/** Rows kept by key: past this the oldest rows' keys are forgotten (the view keeps fewer rows). */
const SEQS_KEPT = 20_000;

export function createLogViewFeed(options: LogViewOptions): LogViewFeed {
  const listeners = new Set<(record: DeliveryRecord) => void>();
  const pollListeners = new Set<(state: DeliveryLogPollState) => void>();
  const noticeListeners = new Set<(text: string) => void>();
  const seqs = new Map<string, number>();
  /** The version each row shows, so an older answer (a poll that crossed a redelivery) never replaces a newer one. */
  const shown = new Map<number, { updatedAt: string; attempts: number }>();
  let nextSeq = 1;
  let polling: DeliveryLogPollState = { state: "starting" };

  const emit = (endpointId: string, delivery: Delivery, isNew: boolean): void => {
    const key = `${endpointId} ${delivery.id}`;
    let seq = seqs.get(key);
    if (seq === undefined) {
      if (!isNew || !passes(options.filter, delivery.status, delivery.eventType)) return;
      seq = nextSeq++;
      seqs.set(key, seq);
      if (seqs.size > SEQS_KEPT) {
        const [oldKey, oldSeq] = seqs.entries().next().value!;
        seqs.delete(oldKey);
        shown.delete(oldSeq);
      }
    }
    const before = shown.get(seq);
    if (before && (delivery.attempts.length < before.attempts || delivery.updatedAt < before.updatedAt)) return;
    shown.set(seq, { updatedAt: delivery.updatedAt, attempts: delivery.attempts.length });
    const record = deliveryRecordOf(delivery, seq);
    for (const listener of listeners) listener(record);
  };

  const source: DeliveryLogSource = {
    info: options.info,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribePolling(listener) {
      pollListeners.add(listener);
      listener(polling);
      return () => pollListeners.delete(listener);
    },
    subscribeMessages(listener) {
      noticeListeners.add(listener);
      return () => noticeListeners.delete(listener);
    },
    async replay(record) {
      if (!record.platform) throw new Error(`${record.id} is not a delivery of the platform's log`);
      const delivery = await options.redeliver(record.platform.endpointId, record.id);
      emit(record.platform.endpointId, delivery, false);
      return redeliveryLine(delivery);
    },
  };

  return {
    source,
    push(endpointId, deliveries) {
      for (const delivery of deliveries) emit(endpointId, delivery, true);
    },
    setPolling(state) {
      polling = state;
      for (const listener of pollListeners) listener(state);
    },
    notice(text) {
      for (const listener of noticeListeners) listener(text);
    },
  };
}

/** `redelivered whk_… attempt 3: 200 succeeded`, or `… attempt 3: connection refused, retrying`. */
export function redeliveryLine(delivery: Delivery): string {
  const last = delivery.attempts.at(-1);
  if (delivery.status === "pending" || !last) return `redelivered ${delivery.id}: attempt ${delivery.attempt + 1} under way`;
  const answer = last.statusCode !== null ? String(last.statusCode) : (last.error ?? "no answer");
  return `redelivered ${delivery.id} attempt ${last.attempt}: ${answer} ${delivery.status.replace("_", " ")}`;
}

/** A delivery of the log as one row of the live view. */
export function deliveryRecordOf(delivery: Delivery, seq: number): DeliveryRecord {
  const last = delivery.attempts.at(-1);
  return {
    seq,
    id: delivery.id,
    eventType: delivery.eventType,
    receivedAt: Date.parse(last?.startedAt ?? delivery.createdAt),
    attempt: delivery.attempt,
    signature: "valid",
    signatureReason: null,
    request: {
      method: "POST",
      path: delivery.request.url,
      headers: last?.requestHeaders ?? delivery.request.headers,
      body: Buffer.from(delivery.request.body, "utf8"),
    },
    target: last
      ? {
          url: delivery.request.url,
          statusCode: last.statusCode,
          error: last.error,
          durationMs: last.durationMs,
          responseHeaders: last.responseHeaders ?? {},
          responseBody: last.responseBody ?? "",
        }
      : null,
    replayOf: null,
    platform: {
      endpointId: delivery.endpointId,
      status: delivery.status,
      nextAttemptAt: delivery.nextAttemptAt,
      attempts: delivery.attempts,
    },
  };
}
