import { Box, Text } from "ink";
import { memo } from "react";
import type { DeliveryRecord } from "../listen/types.js";
import {
  clockTime,
  formatDuration,
  isBadSignature,
  signatureMark,
  statusLabel,
  statusTone,
} from "./delivery-format.js";
import { TintedText } from "./tinted-text.js";

export interface DeliveryRowProps {
  record: DeliveryRecord;
  selected: boolean;
  widths: RowWidths;
}

export interface RowWidths {
  event: number;
  id: number;
}

/** Everything but the event type and the id has a fixed width. */
const FIXED_WIDTH = 2 + 8 + 2 + 1 + 1 + 3 + 1 + 3 + 1 + 3 + 1 + 8;

/** Room kept right of the column titles for the `↑ 988 ↓ 12` scroll hint. */
const HINT_WIDTH = 10;

/** The event type gets the most room; ids (ULID-style, ~30 chars) give way first on narrow screens. */
export function rowWidths(columns: number): RowWidths {
  const free = Math.max(0, columns - FIXED_WIDTH - HINT_WIDTH);
  const id = Math.max(12, Math.min(30, free - 22));
  const event = Math.max(12, Math.min(40, free - id));
  return { event, id };
}

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
    " " +
    "TRY" +
    " " +
    "SIG" +
    " " +
    "STS" +
    " " +
    "DURATION".padStart(8)
  );
}

/**
 * One delivery, `>` when selected (memoised: records are immutable, so an unchanged row is skipped);
 * the status is green 2xx, yellow 4xx, red 5xx/ERR, dim `…` while the forward is in flight:
 *
 *   > 12:00:01  draw.consumer.won         whk_01JD…XK2M   1  ✓  200     4 ms
 *
 * The ASCII columns and the glyphs (✓ ✗ … ↻) are separate text nodes: Ink measures every changed
 * text on every frame, and a string with one non-ASCII character takes string-width's slow path
 * (a grapheme segmenter) for its whole length.
 */
export const DeliveryRow = memo(function DeliveryRow({ record, selected, widths }: DeliveryRowProps) {
  const target = record.target;
  const attempt = record.replayOf !== null ? "↻" : String(record.attempt);
  return (
    <Box>
      <Text wrap="truncate-end">
        <TintedText tint="strong">{selected ? "> " : "  "}</TintedText>
        <TintedText tint="dim">{clockTime(record.receivedAt)}</TintedText>
        {"  "}
        <TintedText tint={selected ? "strong" : undefined}>{fitEnd(record.eventType, widths.event)}</TintedText>
        {" "}
        <TintedText tint="dim">{fitMiddle(record.id, widths.id)}</TintedText>
      </Text>
      <Box flexShrink={0}>
        <Text>{" " + attempt.padStart(3) + "  "}</Text>
        <TintedText tint={isBadSignature(record.signature) ? "error" : "ok"}>{signatureMark(record.signature)}</TintedText>
        <Text>{"  "}</Text>
        <TintedText tint={statusTone(target)}>{statusLabel(target).padEnd(3)}</TintedText>
        <TintedText tint="dim">{" " + (target ? formatDuration(target.durationMs) : "").padStart(8)}</TintedText>
      </Box>
    </Box>
  );
});
