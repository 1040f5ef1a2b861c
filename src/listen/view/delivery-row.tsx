import { Transform } from "ink";
import { memo } from "react";
import type { DeliveryRecord } from "../types.js";
import { useColor } from "./color-context.js";
import { logRowSegments, type LogRowLayout } from "./delivery-log-row-line.js";
import { rowSegments, type RowLayout } from "./delivery-row-line.js";
import { paintSegments, segmentsWidth } from "./list-columns.js";

interface DeliveryRowProps {
  record: DeliveryRecord;
  selected: boolean;
  /** The list's columns: listen's widths, or the delivery log's layout (deliveries tail). */
  layout: RowLayout | LogRowLayout;
  /** The terminal's width: a row never wraps; past the narrowest layout its end is cut. */
  columns: number;
}

/** Placeholders by width: Ink lays out and measures this, the same string for every row. */
const blanks = new Map<number, string>();
function blank(width: number): string {
  let text = blanks.get(width);
  if (text === undefined) blanks.set(width, (text = " ".repeat(width)));
  return text;
}

/**
 * One delivery, `>` when selected (memoised: records are immutable, so an unchanged row is skipped);
 * the status is green 2xx, yellow 4xx, red 5xx/ERR, dim `…` while the forward is in flight:
 *
 *   > 12:00:01  draw.consumer.won         whk_01JD…XK2M   1  ✓  200     4 ms
 *
 * Drawn as one finished line (delivery-row-line.ts) through Ink's <Transform>: Ink measures and lays
 * out a blank of the same width and writes the line in its place. Every row text is unique (the id),
 * and Ink caches the size of every text it ever measured, for the life of the process; blanks are
 * few. It also makes a row three Ink elements instead of a dozen (see delivery-row-line.ts).
 */
export const DeliveryRow = memo(function DeliveryRow({ record, selected, layout, columns }: DeliveryRowProps) {
  const color = useColor();
  // A delivery of the platform's log (deliveries tail) has its own columns, laid out by the list.
  const segments =
    layout.kind === "log" ? logRowSegments(record, selected, layout, columns) : rowSegments(record, selected, layout, columns);
  const line = paintSegments(segments, color);
  return <Transform transform={() => line}>{blank(segmentsWidth(segments))}</Transform>;
});
