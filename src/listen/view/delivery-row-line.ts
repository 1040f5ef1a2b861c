import { escapeControl } from "../../terminal/escape.js";
import type { DeliveryRecord } from "../types.js";
import { clockTime, formatDuration, isBadSignature, signatureMark, statusLabel, statusTone } from "./delivery-format.js";
import { createStyle, type Style } from "../../terminal/style.js";

/**
 * One row of the delivery list as a finished line (pure: no Ink, no React). The live view draws a
 * row as one string instead of a dozen nested <Text> elements: that is a tenth of the React fibers,
 * Ink nodes and Yoga nodes to create and throw away for every row of every frame in a flood, and it
 * keeps the (unique) row text away from Ink's text-measure caches, which never forget a string.
 *
 *   > 12:00:01  draw.consumer.won         whk_01JD…XK2M   1  ✓  200     4 ms
 */

type RowTint = "ok" | "warn" | "error" | "pending" | "dim" | "strong";

export interface RowSegment {
  text: string;
  tint?: RowTint;
}

export interface RowWidths {
  event: number;
  id: number;
}

/** Everything but the event type and the id has a fixed width. */
const FIXED_WIDTH = 2 + 8 + 2 + 1 + 1 + 3 + 1 + 3 + 1 + 3 + 1 + 8;

/** Room kept right of the column titles for the `↑ 988 ↓ 12` scroll hint. */
export const HINT_WIDTH = 10;

/** The event type gets the most room; ids (ULID-style, ~30 chars) give way first on narrow screens. */
export function rowWidths(columns: number): RowWidths {
  return shareWidths(columns - FIXED_WIDTH - HINT_WIDTH);
}

/** How `free` columns are shared between the event type and the id (each 12 at least). */
export function shareWidths(free: number): RowWidths {
  const room = Math.max(0, free);
  const id = Math.max(MIN_ID_WIDTH, Math.min(30, room - 22));
  const event = Math.max(MIN_EVENT_WIDTH, Math.min(MAX_EVENT_WIDTH, room - id));
  return { event, id };
}

export const MIN_EVENT_WIDTH = 12;
export const MAX_EVENT_WIDTH = 40;
export const MIN_ID_WIDTH = 12;

/** Pads or cuts to exactly `width` columns, cutting at the end. */
export function fitEnd(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + "…" : text.padEnd(width);
}

/** Pads or cuts to `width`, keeping both ends: ULID ids differ at the end, prefixes name the kind. */
export function fitMiddle(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  const tail = Math.floor((width - 1) / 2);
  return text.slice(0, width - 1 - tail) + "…" + text.slice(text.length - tail);
}

/** The column titles above the rows, aligned with them. */
export function rowTitles(widths: RowWidths): string {
  return (
    "  " +
    "TIME".padEnd(8) +
    "  " +
    "EVENT".padEnd(widths.event) +
    " " +
    "DELIVERY".padEnd(widths.id) +
    " TRY SIG STS" +
    " " +
    "DURATION".padStart(8)
  );
}

/**
 * The row's pieces with their tints, `columns` wide at most: when even the narrowest columns do not
 * fit, the left part (time, event, id) is cut, never the status columns.
 */
export function rowSegments(record: DeliveryRecord, selected: boolean, widths: RowWidths, columns = Infinity): RowSegment[] {
  const target = record.target;
  const attempt = record.replayOf !== null ? "↻" : String(record.attempt);
  const left: RowSegment[] = [
    { text: selected ? "> " : "  ", tint: "strong" },
    { text: clockTime(record.receivedAt), tint: "dim" },
    { text: "  " },
    { text: fitEnd(escapeControl(record.eventType), widths.event), tint: selected ? "strong" : undefined },
    { text: " " },
    { text: fitMiddle(escapeControl(record.id), widths.id), tint: "dim" },
  ];
  const right: RowSegment[] = [
    { text: " " + attempt.padStart(3) + "  " },
    { text: signatureMark(record.signature), tint: isBadSignature(record.signature) ? "error" : "ok" },
    { text: "  " },
    { text: statusLabel(target).padEnd(3), tint: statusTone(target) },
    { text: " " + (target ? formatDuration(target.durationMs) : "").padStart(8), tint: "dim" },
  ];
  // Several targets: each one's status after the duration (STS is the worst, what the sender got).
  if (record.targets !== undefined && record.targets.length > 1) {
    for (const each of record.targets) right.push({ text: " " }, { text: statusLabel(each), tint: statusTone(each) });
  }
  return [...cutSegments(left, Math.max(0, columns - segmentsWidth(right))), ...right];
}

/** Cuts segments to `width` columns in all, ending a cut one with `…`. */
export function cutSegments(segments: RowSegment[], width: number): RowSegment[] {
  if (segmentsWidth(segments) <= width) return segments;
  const out: RowSegment[] = [];
  let room = width;
  for (const segment of segments) {
    if (room <= 0) break;
    if (segment.text.length < room) {
      out.push(segment);
      room -= segment.text.length;
    } else {
      out.push({ ...segment, text: segment.text.slice(0, room - 1) + "…" });
      room = 0;
    }
  }
  return out;
}

/** Columns taken (every character of a row is one column wide). */
export function segmentsWidth(segments: readonly RowSegment[]): number {
  let width = 0;
  for (const segment of segments) width += segment.text.length;
  return width;
}

const plain = createStyle(false);
const coloured = createStyle(true);
const TINT_STYLES: Record<"plain" | "colour", Record<RowTint, Style>> = {
  plain: { ok: plain, warn: plain, error: plain, pending: plain, dim: plain, strong: plain },
  colour: {
    ok: coloured.green,
    warn: coloured.yellow,
    error: coloured.red,
    pending: coloured.dim,
    dim: coloured.dim,
    strong: coloured.bold,
  },
};

/** The segments as one string, with ANSI colours only when `color` is on. */
export function paintSegments(segments: readonly RowSegment[], color: boolean): string {
  const styles = TINT_STYLES[color ? "colour" : "plain"];
  let line = "";
  for (const segment of segments) line += segment.tint && color ? styles[segment.tint](segment.text) : segment.text;
  return line;
}
