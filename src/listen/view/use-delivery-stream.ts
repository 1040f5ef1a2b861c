import { useEffect } from "react";
import type { DeliveryRecord } from "../types.js";
import type { ListenViewAction } from "./listen-state.js";

interface DeliverySubscription {
  subscribe(listener: (record: DeliveryRecord) => void): () => void;
}

/**
 * At most 10 data frames a second: each frame costs Ink ~10–20 ms of layout and drawing whatever
 * changed, and nobody reads rows faster. A delivery after a quiet spell shows at once; keys are not
 * batched (Ink itself draws at most 20 frames a second).
 */
const FLUSH_INTERVAL_MS = 100;
/**
 * In a flood (a frame's batch of at least BUSY_BATCH records) frames come 4 a second: rows scroll
 * by faster than anyone reads either way, and every frame costs Ink a full screen of short-lived
 * cell objects (which V8 ends up promoting, so the heap, and RSS, grow with the frame rate).
 */
const BUSY_BATCH = 200;
const BUSY_FLUSH_INTERVAL_MS = 250;

/**
 * Subscribes to the session and hands its records to the reducer in batches: the listener only
 * stores the record (latest version per seq) and arms a timer; the timer applies the whole batch in
 * one action. A burst of thousands of deliveries costs one render, not thousands.
 */
export function useDeliveryStream(
  source: DeliverySubscription,
  dispatch: (action: ListenViewAction) => void,
  intervalMs: number = FLUSH_INTERVAL_MS,
): void {
  useEffect(() => {
    // A Map keeps first-arrival order and lets a completion overwrite its own arrival.
    let pending = new Map<number, DeliveryRecord>();
    let timer: NodeJS.Timeout | null = null;
    let nextFlushAt = 0;
    const flush = (): void => {
      timer = null;
      if (pending.size === 0) return;
      const records = [...pending.values()];
      pending = new Map();
      nextFlushAt = Date.now() + (records.length >= BUSY_BATCH ? Math.max(intervalMs, BUSY_FLUSH_INTERVAL_MS) : intervalMs);
      dispatch({ type: "deliveries", records });
    };
    const unsubscribe = source.subscribe((record) => {
      pending.set(record.seq, record);
      if (timer === null) timer = setTimeout(flush, Math.max(0, nextFlushAt - Date.now()));
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [source, dispatch, intervalMs]);
}
