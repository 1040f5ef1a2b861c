import { escapeControl } from "../../terminal/escape.js";
import type { DeliveryRecord } from "../types.js";
import { clockTime, formatDuration, isBadSignature, signatureMark, statusLabel, statusTone } from "./delivery-format.js";
import { columnSegments, fitColumns, type FlexibleWidths, type ListColumn, type RowSegment } from "./list-columns.js";

/**
 * One row of the delivery list as a finished line (pure: no Ink, no React). The live view draws a
 * row as one string instead of a dozen nested <Text> elements: that is a tenth of the React fibers,
 * Ink nodes and Yoga nodes to create and throw away for every row of every frame in a flood, and it
 * keeps the (unique) row text away from Ink's text-measure caches, which never forget a string.
 *
 *   > 12:00:01  draw.consumer.won         whk_01JD…XK2M   1  ✓  200     4 ms
 */

type ListenColumnKey = "mark" | "time" | "event" | "id" | "try" | "sig" | "sts" | "duration";

/** listen's columns for one width, for the heading and every row (see list-columns.ts). */
export interface RowLayout {
  readonly kind: "listen";
  readonly columns: readonly ListColumn<ListenColumnKey>[];
}

/** On a narrow terminal the id goes first (details show it), then the duration. */
const DROP_ORDER: readonly ListenColumnKey[] = ["id", "duration"];

/** The columns for a terminal `columns` wide (see fitColumns). */
export function rowLayout(columns: number): RowLayout {
  return { kind: "listen", columns: fitColumns(columns, listenColumns, DROP_ORDER) };
}

function listenColumns(widths: FlexibleWidths): ListColumn<ListenColumnKey>[] {
  return [
    { key: "mark", title: "", width: 2, gap: 0, cut: "end" },
    { key: "time", title: "TIME", width: 8, gap: 0, cut: "end" },
    { key: "event", title: "EVENT", width: widths.event, gap: 2, cut: "end" },
    { key: "id", title: "DELIVERY", width: widths.id, gap: 1, cut: "middle" },
    { key: "try", title: "TRY", width: 3, gap: 1, cut: "end", align: "right" },
    { key: "sig", title: "SIG", width: 3, gap: 1, cut: "end", align: "center" },
    { key: "sts", title: "STS", width: 3, gap: 1, cut: "end" },
    { key: "duration", title: "DURATION", width: 8, gap: 1, cut: "end", align: "right" },
  ];
}

/**
 * The row's pieces with their tints, `columns` wide at most (past the narrowest layout the row is
 * cut at the end, as its heading is).
 */
export function rowSegments(record: DeliveryRecord, selected: boolean, layout: RowLayout, columns = Infinity): RowSegment[] {
  const target = record.target;
  // Several targets: each one's status after the duration (STS is the worst, what the sender got).
  const extra: RowSegment[] = [];
  if (record.targets !== undefined && record.targets.length > 1) {
    for (const each of record.targets) extra.push({ text: " " }, { text: statusLabel(each), tint: statusTone(each) });
  }
  return columnSegments(
    layout.columns,
    {
      mark: { text: selected ? "> " : "  ", tint: "strong" },
      time: { text: clockTime(record.receivedAt), tint: "dim" },
      event: { text: escapeControl(record.eventType), tint: selected ? "strong" : undefined },
      id: { text: escapeControl(record.id), tint: "dim" },
      try: { text: record.replayOf !== null ? "↻" : String(record.attempt) },
      sig: { text: signatureMark(record.signature), tint: isBadSignature(record.signature) ? "error" : "ok" },
      sts: { text: statusLabel(target), tint: statusTone(target) },
      duration: { text: target ? formatDuration(target.durationMs) : "", tint: "dim" },
    },
    columns,
    extra,
  );
}
