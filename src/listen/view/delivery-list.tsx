import { Box, Text } from "ink";
import { useMemo } from "react";
import { logRowLayout } from "./delivery-log-row-line.js";
import { DeliveryRow } from "./delivery-row.js";
import { rowLayout } from "./delivery-row-line.js";
import { columnTitles } from "./list-columns.js";
import type { ListWindow } from "./listen-state.js";
import { TintedText } from "./tinted-text.js";

interface DeliveryListProps {
  window: ListWindow;
  /** Height of the list in rows (the column titles come on top of it). */
  rows: number;
  columns: number;
  filter: string;
  /** `f`: only failed deliveries are listed. */
  failedOnly?: boolean;
  /** Deliveries held before the filter and `f` (what an empty list was narrowed from). */
  held?: number;
  /** More were received than are held (the oldest were let go). */
  heldIsLatest?: boolean;
  /** Whose rows: listen's (the default) or the platform's delivery log (deliveries tail). */
  kind?: "listen" | "log";
  /** Shown while there is nothing to list, instead of listen's hint. */
  emptyHint?: string;
}

/**
 * The visible slice of the deliveries, newest at the bottom, always `rows` high so the status bar
 * below never jumps:
 *
 *     TIME      EVENT                 DELIVERY          TRY SIG STS DURATION   ↑ 120
 *     12:00:01  draw.consumer.won     whk_01JD…XK2M       1  ✓  200     4 ms
 *   > 12:00:02  draw.entry.created    whk_01JD…Q9ZT       1  ✗  500    12 ms
 */
export function DeliveryList({
  window,
  rows,
  columns,
  filter,
  failedOnly = false,
  held = 0,
  heldIsLatest = false,
  kind = "listen",
  emptyHint,
}: DeliveryListProps) {
  // One layout per width for the heading and every row, so they cannot disagree.
  const layout = useMemo(() => (kind === "log" ? logRowLayout(columns) : rowLayout(columns)), [columns, kind]);
  const titles = columnTitles(layout.columns);
  const more = [window.above > 0 ? `↑ ${window.above}` : "", window.below > 0 ? `↓ ${window.below}` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <TintedText tint="dim">{titles}</TintedText>
        {more ? <TintedText tint="accent">{"  " + more}</TintedText> : null}
      </Text>
      <Box flexDirection="column" height={rows}>
        {window.rows.length === 0 ? (
          <TintedText tint="dim" wrap="truncate-end">
            {emptyListText({ filter, failedOnly, held, heldIsLatest }) ??
              emptyHint ??
              "  waiting for deliveries… try: fanfare webhooks trigger draw.consumer.won"}
          </TintedText>
        ) : (
          window.rows.map((record) => (
            <DeliveryRow
              key={record.seq}
              record={record}
              selected={record.seq === window.selectedSeq}
              layout={layout}
              columns={columns}
            />
          ))
        )}
      </Box>
    </Box>
  );
}

/**
 * Why the list is empty when deliveries were received: the filter or `f` hid them all, and how to
 * show them again. Null when nothing was received (the caller's hint says how to get some).
 */
function emptyListText({ filter, failedOnly, held, heldIsLatest }: { filter: string; failedOnly: boolean; held: number; heldIsLatest: boolean }): string | null {
  const among = `among the ${heldIsLatest ? "last " : ""}${held} received`;
  if (filter && failedOnly && held > 0) return `  no failed deliveries match "${filter}" ${among} (Esc clears the filter, f shows all)`;
  if (filter) return `  no deliveries match "${filter}" (Esc clears the filter)`;
  if (failedOnly && held > 0) return `  no failed deliveries ${among} (f shows all again)`;
  return null;
}
