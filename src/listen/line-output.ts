import { safeJson } from "../terminal/escape.js";
import { LineWriter } from "../terminal/line-writer.js";
import { deliveryJson, formatForwardedLines, formatNoticeLine, formatReceivedLine } from "./delivery-lines.js";
import { noticeJson, type SessionNotice } from "./notices.js";
import type { DeliveryRecord } from "./types.js";

interface LineOutputOptions {
  json: boolean;
  color: boolean;
  /** The session's notices (tunnel, app health), printed among the deliveries. */
  notices?: { subscribe(listener: (notice: SessionNotice) => void): () => void };
}

interface DeliverySource {
  subscribe(listener: (record: DeliveryRecord) => void): () => void;
}

/**
 * listen's output when nobody is watching a live view: `-->` when a delivery arrives and `<--` when
 * the target answered (Stripe's shape), or with --json one NDJSON object per answered delivery.
 * Notices (tunnel reconnecting / back, app down / back) come in between as lines of their own.
 * Lines are gathered and written in chunks, so thousands a second cost a few writes, not thousands.
 * Returns a function that unsubscribes and flushes what is left.
 */
export function printDeliveries(
  source: DeliverySource,
  stream: NodeJS.WritableStream,
  options: LineOutputOptions,
): () => void {
  const writer = new LineWriter(stream);
  const lineOptions = { color: options.color };
  const unsubscribe = source.subscribe((record) => {
    if (options.json) {
      if (record.target !== null) writer.write(safeJson(deliveryJson(record)));
    } else if (record.target === null) writer.write(formatReceivedLine(record, lineOptions));
    // Several targets: a line for each, so every app's answer is there to grep.
    else for (const line of formatForwardedLines(record, lineOptions)) writer.write(line);
  });
  const unsubscribeNotices = options.notices?.subscribe((notice) => {
    writer.write(options.json ? safeJson(noticeJson(notice)) : formatNoticeLine(notice, lineOptions));
  });
  return () => {
    unsubscribe();
    unsubscribeNotices?.();
    writer.flush();
  };
}
