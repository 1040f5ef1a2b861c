import { formatSpan } from "../signing/signature.js";
import type { DeliveryRecord } from "./types.js";
import { isBadSignature, isSuccess } from "./view/delivery-format.js";

interface SessionCounts {
  received: number;
  ok: number;
  failed: number;
  badSignature: number;
}

/**
 * What a listen session saw, counted from the relay's stream (each record comes once on arrival and
 * once when its forward is done), for the one line printed on exit. Fixed size however long it runs.
 */
export class SessionTally {
  readonly counts: SessionCounts = { received: 0, ok: 0, failed: 0, badSignature: 0 };
  private highestSeq = 0;

  add(record: DeliveryRecord): void {
    if (record.seq > this.highestSeq) {
      this.highestSeq = record.seq;
      this.counts.received++;
      if (isBadSignature(record.signature)) this.counts.badSignature++;
    }
    if (record.target) {
      if (isSuccess(record.target)) this.counts.ok++;
      else this.counts.failed++;
    }
  }
}

/** `listen: 12 received, 11 ok, 1 failed, 0 bad signature in 3 min` */
export function exitSummaryLine(counts: SessionCounts, durationMs: number): string {
  const { received, ok, failed, badSignature } = counts;
  return `listen: ${received} received, ${ok} ok, ${failed} failed, ${badSignature} bad signature in ${formatSpan(Math.round(durationMs / 1000))}`;
}

/** The same for --json: one object on stderr, as the `{"listening": …}` one at start. */
export function exitSummaryJson(counts: SessionCounts, durationMs: number): string {
  return JSON.stringify({ summary: { ...counts, durationMs: Math.round(durationMs) } });
}
