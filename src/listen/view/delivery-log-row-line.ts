import { escapeControl } from "../../terminal/escape.js";
import type { DeliveryRecord } from "../types.js";
import { clockTime, DELIVERY_STATES, statusLabel, statusTone } from "./delivery-format.js";
import { cutSegments, fitEnd, fitMiddle, rowWidths, type RowSegment, type RowWidths } from "./delivery-row-line.js";

/**
 * A row of `deliveries tail` (a record of the platform's log, `record.platform` set), in the same
 * list as listen's rows: the endpoint comes after the time, and the delivery's status and its next
 * retry take the place of the signature and the duration.
 *
 *   > 12:00:01  we_01JD…4KQ   draw.consumer.won     whk_01JD…XK2M   2  500 retrying     12:01:01
 */

const ENDPOINT_WIDTH = 14;
const STATE_WIDTH = 12;
/** Try, answer, status, next retry: never cut. */
const RIGHT_WIDTH = 1 + 3 + 2 + 3 + 1 + STATE_WIDTH + 1 + 8;
/** What the endpoint column and the wider right part take beyond a listen row. */
const EXTRA_WIDTH = ENDPOINT_WIDTH + 2 + (RIGHT_WIDTH - (1 + 3 + 2 + 1 + 2 + 3 + 1 + 8));

export function logRowWidths(columns: number): RowWidths {
  return rowWidths(columns - EXTRA_WIDTH);
}

export function logRowTitles(widths: RowWidths): string {
  return (
    "  " +
    "TIME".padEnd(8) +
    "  " +
    "ENDPOINT".padEnd(ENDPOINT_WIDTH) +
    "  " +
    "EVENT".padEnd(widths.event) +
    " " +
    "DELIVERY".padEnd(widths.id) +
    " TRY STS " +
    "STATUS".padEnd(STATE_WIDTH) +
    " " +
    "NEXT".padEnd(8)
  );
}

export function logRowSegments(record: DeliveryRecord, selected: boolean, widths: RowWidths, columns = Infinity): RowSegment[] {
  const platform = record.platform!;
  const next = platform.nextAttemptAt ? Date.parse(platform.nextAttemptAt) : Number.NaN;
  const left: RowSegment[] = [
    { text: selected ? "> " : "  ", tint: "strong" },
    { text: clockTime(record.receivedAt), tint: "dim" },
    { text: "  " },
    { text: fitMiddle(escapeControl(platform.endpointId), ENDPOINT_WIDTH), tint: "dim" },
    { text: "  " },
    { text: fitEnd(escapeControl(record.eventType), widths.event), tint: selected ? "strong" : undefined },
    { text: " " },
    { text: fitMiddle(escapeControl(record.id), widths.id), tint: "dim" },
  ];
  const right: RowSegment[] = [
    { text: " " + String(record.attempt).padStart(3) + "  " },
    { text: statusLabel(record.target).padEnd(3), tint: statusTone(record.target) },
    { text: " " },
    { text: DELIVERY_STATES[platform.status].label.padEnd(STATE_WIDTH), tint: DELIVERY_STATES[platform.status].tone },
    { text: " " + (Number.isFinite(next) ? clockTime(next) : "").padEnd(8), tint: "dim" },
  ];
  return [...cutSegments(left, Math.max(0, columns - RIGHT_WIDTH)), ...right];
}
