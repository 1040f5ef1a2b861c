import { escapeControl } from "../../terminal/escape.js";
import type { DeliveryRecord } from "../types.js";
import { clockTime, DELIVERY_STATES, statusLabel, statusTone } from "./delivery-format.js";
import { columnSegments, fitColumns, type FlexibleWidths, type ListColumn, type RowSegment } from "./list-columns.js";

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

export interface LogRowLayout {
  readonly kind: "log";
  readonly columns: readonly ListColumn<LogColumnKey>[];
}

const ENDPOINT_WIDTH = 14;
const STATE_WIDTH = 12;
/** On a narrow terminal the endpoint goes first, then the id, then the next retry. */
const DROP_ORDER: readonly LogColumnKey[] = ["endpoint", "id", "next"];

/** The columns for a terminal `width` wide (see fitColumns). */
export function logRowLayout(width: number): LogRowLayout {
  return { kind: "log", columns: fitColumns(width, logColumns, DROP_ORDER) };
}

function logColumns(widths: FlexibleWidths): ListColumn<LogColumnKey>[] {
  return [
    { key: "mark", title: "", width: 2, gap: 0, cut: "end" },
    { key: "time", title: "TIME", width: 8, gap: 0, cut: "end" },
    { key: "endpoint", title: "ENDPOINT", width: ENDPOINT_WIDTH, gap: 2, cut: "middle" },
    { key: "event", title: "EVENT", width: widths.event, gap: 2, cut: "end" },
    { key: "id", title: "DELIVERY", width: widths.id, gap: 1, cut: "middle" },
    { key: "try", title: "TRY", width: 3, gap: 1, cut: "end", align: "right" },
    { key: "sts", title: "STS", width: 3, gap: 1, cut: "end" },
    { key: "status", title: "STATUS", width: STATE_WIDTH, gap: 1, cut: "end" },
    { key: "next", title: "NEXT", width: 8, gap: 1, cut: "end" },
  ];
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
