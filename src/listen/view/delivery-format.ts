import type { DeliveryStatus } from "../../api/types.js";
import type { DeliveryRecord, ForwardResult, SignatureCheck } from "../types.js";

/**
 * Small pure formatters shared by the line printers and the live view, so `fanfare webhooks listen`
 * says the same thing (time, status, duration) with or without a TTY.
 */

/** How a forward's outcome is coloured: green 2xx, yellow other answers, red no answer or 5xx. */
export type StatusTone = "ok" | "warn" | "error" | "pending";

/** Local wall-clock time, `12:00:01`: what a person compares with their app's own log lines. */
export function clockTime(epochMs: number): string {
  // Every line of a busy listen asks for the same few seconds: the last one is kept (a time zone
  // change, DST included, happens on a second's boundary, so a second's text never changes).
  const second = Math.floor(epochMs / 1000);
  if (second === lastClockSecond) return lastClockText;
  const d = new Date(epochMs);
  lastClockText = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
  lastClockSecond = second;
  return lastClockText;
}

let lastClockSecond = NaN;
let lastClockText = "";

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1) return "<1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function isSuccess(target: ForwardResult): boolean {
  return target.statusCode !== null && target.statusCode >= 200 && target.statusCode < 300;
}

export function statusTone(target: ForwardResult | null): StatusTone {
  return target === null ? "pending" : codeTone(target.statusCode);
}

/** No answer or a 5xx is an error, a 2xx is ok, anything else a warning: for a forward or an attempt. */
export function codeTone(statusCode: number | null): StatusTone {
  if (statusCode === null || statusCode >= 500) return "error";
  return statusCode >= 200 && statusCode < 300 ? "ok" : "warn";
}

/** How the platform's delivery statuses read in `deliveries tail`'s rows, counters and details. */
export const DELIVERY_STATES: Readonly<Record<DeliveryStatus, { label: string; tone: StatusTone }>> = {
  pending: { label: "pending", tone: "pending" },
  retrying: { label: "retrying", tone: "warn" },
  succeeded: { label: "succeeded", tone: "ok" },
  failed: { label: "failed", tone: "error" },
  permanently_failed: { label: "perm. failed", tone: "error" },
};

/** `200`, `ERR` when the target never answered, `…` while the forward is in flight. */
export function statusLabel(target: ForwardResult | null): string {
  if (target === null) return "…";
  return target.statusCode === null ? "ERR" : String(target.statusCode);
}

export function isBadSignature(signature: SignatureCheck): boolean {
  return signature !== "valid";
}

export function signatureMark(signature: SignatureCheck): string {
  return signature === "valid" ? "✓" : "✗";
}

/** `signature invalid: timestamp outside tolerance`, or `signature missing`. */
export function signatureProblem(record: Pick<DeliveryRecord, "signature" | "signatureReason">): string | null {
  if (!isBadSignature(record.signature)) return null;
  return `signature ${record.signature}` + (record.signatureReason ? `: ${record.signatureReason}` : "");
}

/**
 * Each target's answer once the forward is done: the one target's, or every matching target's in
 * --forward order (none when no --forward took the event type). Empty while in flight.
 */
export function targetResults(record: Pick<DeliveryRecord, "target" | "targets">): readonly ForwardResult[] {
  if (record.targets !== undefined) return record.targets;
  return record.target === null ? [] : [record.target];
}
