import { Box, Text } from "ink";
import type { DeliveryRecord } from "../types.js";
import { deliveryDetailLines, wrapDetailLines } from "./delivery-detail-lines.js";
import type { DetailLine } from "./detail-blocks.js";
import { TintedText } from "./tinted-text.js";

interface DeliveryDetailsProps {
  record: DeliveryRecord;
  /** First content line shown. */
  scroll: number;
  /** Content lines that fit (the title line comes on top). */
  rows: number;
  /** The pane's width: long lines wrap to it. */
  columns: number;
}

const linesCache = new WeakMap<DeliveryRecord, { columns: number; lines: DetailLine[] }>();

/**
 * Built once per record version and width: a pretty-printed body is the costly part. Long lines are
 * wrapped to `columns`, so scrolling counts the rows as drawn.
 */
export function detailLinesOf(record: DeliveryRecord, columns: number): DetailLine[] {
  let cached = linesCache.get(record);
  if (!cached || cached.columns !== columns) {
    cached = { columns, lines: wrapDetailLines(deliveryDetailLines(record), columns) };
    linesCache.set(record, cached);
  }
  return cached.lines;
}

/**
 * One delivery in full, scrolled by the caller, in place of the list:
 *
 *   details  lines 1–18 of 42                         ↑/↓ PgUp/PgDn scroll · Esc back
 *   draw.consumer.won  whk_01JD…  (#12, attempt 1)
 *   received 12:00:01  signature ✓ valid
 *   Request  POST /webhooks  (512 B)
 *     content-type: application/json
 *   …
 */
export function DeliveryDetails({ record, scroll, rows, columns }: DeliveryDetailsProps) {
  const lines = detailLinesOf(record, columns);
  const height = Math.max(1, rows);
  const first = Math.max(0, Math.min(scroll, Math.max(0, lines.length - height)));
  const shown = lines.slice(first, first + height);
  const last = first + shown.length;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <TintedText tint="label">details</TintedText>
        <TintedText tint="dim">{`  lines ${first + 1}–${last} of ${lines.length}`}</TintedText>
        {last < lines.length ? <TintedText tint="accent">{"  ↓ more"}</TintedText> : null}
      </Text>
      <Box flexDirection="column" height={height}>
        {shown.map((line, i) => (
          <TintedText key={first + i} tint={line.tone} wrap="truncate-end">
            {line.text === "" ? " " : line.text}
          </TintedText>
        ))}
      </Box>
    </Box>
  );
}
