import { escapeControl } from "../../terminal/escape.js";
import type { DeliveryRecord } from "../types.js";
import { clockTime, DELIVERY_STATES, statusLabel, statusTone } from "./delivery-format.js";
import { HINT_WIDTH, MAX_EVENT_WIDTH, MIN_EVENT_WIDTH, MIN_ID_WIDTH, shareWidths, type RowSegment } from "./delivery-row-line.js";
import { columnSegments, columnsWidth, columnTitles, type ListColumn } from "./list-columns.js";

/**
 * A row of `deliveries tail` (a record of the platform's log, `record.platform` set), in the same
 * list as listen's rows: the endpoint comes after the time, and the delivery's status and its next
 * retry take the place of the signature and the duration.
 *
 *     TIME      ENDPOINT        EVENT                  DELIVERY            TRY STS STATUS       NEXT
 *   > 15:05:09  we_01M8…H4S2JM  order.created          whk_01M8P…XYTVMA0SZ   3 500 retrying     15:05:35
 *
 * The heading and the rows are both drawn from one layout (logRowLayout), decided once per width.
 */

type LogColumnKey = "mark" | "time" | "endpoint" | "event" | "id" | "try" | "sts" | "status" | "next";

/** Columns that give way on a narrow terminal, in the order they go. */
type DroppableKey = "endpoint" | "id" | "next";
const DROP_ORDER: readonly (readonly DroppableKey[])[] = [[], ["endpoint"], ["endpoint", "id"], ["endpoint", "id", "next"]];

export interface LogRowLayout {
  readonly kind: "log";
  readonly columns: readonly ListColumn<LogColumnKey>[];
}

const ENDPOINT_WIDTH = 14;
const STATE_WIDTH = 12;
/** Below this the event column stops shrinking and the whole line (heading and rows) is cut at the end. */
const LAST_EVENT_WIDTH = 6;

/**
 * The columns for a terminal `width` wide: all of them at their narrowest if they fit, else without
 * the endpoint, then without the id, then without the next retry; what is left over widens the event
 * and the id as in listen's rows, and leaves room for the scroll hint when there is plenty.
 */
export function logRowLayout(width: number): LogRowLayout {
  for (const [step, dropped] of DROP_ORDER.entries()) {
    const kept = (key: LogColumnKey) => !(dropped as readonly string[]).includes(key);
    const fixed = columnsWidth(logColumns({ event: 0, id: 0 }).filter((c) => kept(c.key)));
    const least = MIN_EVENT_WIDTH + (kept("id") ? MIN_ID_WIDTH : 0);
    const free = width - fixed;
    if (free < least && step < DROP_ORDER.length - 1) continue;
    // The scroll hint only takes room that the columns, at their narrowest, do not need twice over.
    const room = free - HINT_WIDTH >= least + HINT_WIDTH ? free - HINT_WIDTH : free;
    const widths = kept("id")
      ? shareWidths(room)
      : { event: Math.max(LAST_EVENT_WIDTH, Math.min(MAX_EVENT_WIDTH, room)), id: 0 };
    return { kind: "log", columns: logColumns(widths).filter((c) => kept(c.key)) };
  }
  throw new Error("unreachable: the last step always lays out");
}

function logColumns(widths: { event: number; id: number }): ListColumn<LogColumnKey>[] {
  return [
    { key: "mark", title: "", width: 2, gap: 0, cut: "end" },
    { key: "time", title: "TIME", width: 8, gap: 0, cut: "end" },
    { key: "endpoint", title: "ENDPOINT", width: ENDPOINT_WIDTH, gap: 2, cut: "middle" },
    { key: "event", title: "EVENT", width: widths.event, gap: 2, cut: "end" },
    { key: "id", title: "DELIVERY", width: widths.id, gap: 1, cut: "middle" },
    { key: "try", title: "TRY", width: 3, gap: 1, cut: "end", alignRight: true },
    { key: "sts", title: "STS", width: 3, gap: 1, cut: "end" },
    { key: "status", title: "STATUS", width: STATE_WIDTH, gap: 1, cut: "end" },
    { key: "next", title: "NEXT", width: 8, gap: 1, cut: "end" },
  ];
}

export function logRowTitles(layout: LogRowLayout): string {
  return columnTitles(layout.columns);
}

export function logRowSegments(record: DeliveryRecord, selected: boolean, layout: LogRowLayout, columns = Infinity): RowSegment[] {
  const platform = record.platform!;
  const next = platform.nextAttemptAt ? Date.parse(platform.nextAttemptAt) : Number.NaN;
  const state = DELIVERY_STATES[platform.status];
  return columnSegments(
    layout.columns,
    {
      mark: { text: selected ? "> " : "  ", tint: "strong" },
      time: { text: clockTime(record.receivedAt), tint: "dim" },
      endpoint: { text: escapeControl(platform.endpointId), tint: "dim" },
      event: { text: escapeControl(record.eventType), tint: selected ? "strong" : undefined },
      id: { text: escapeControl(record.id), tint: "dim" },
      try: { text: String(record.attempt) },
      sts: { text: statusLabel(record.target), tint: statusTone(record.target) },
      status: { text: state.label, tint: state.tone },
      next: { text: Number.isFinite(next) ? clockTime(next) : "", tint: "dim" },
    },
    columns,
  );
}
