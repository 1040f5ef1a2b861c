import { cutSegments, fitEnd, fitMiddle, type RowSegment } from "./delivery-row-line.js";

/**
 * Columns of the delivery list laid out once for a width, then used for both the heading and every
 * row, so a heading always sits over its cells: whatever is dropped or shrunk for a narrow terminal
 * is dropped or shrunk in both (pure: no Ink).
 *
 *     TIME      EVENT                  DELIVERY        TRY STS STATUS       NEXT
 *   > 15:05:09  order.created          whk_01M…TVMA0SZ   3 500 retrying     15:05:35
 */
export interface ListColumn<Key extends string = string> {
  key: Key;
  title: string;
  /** Columns the cell takes, padded or cut to exactly this. */
  width: number;
  /** Spaces before the column. */
  gap: number;
  /** How a cell too long is cut: at the end (`draw.consu…`) or in the middle, keeping both ends (ids). */
  cut: "end" | "middle";
  /** Numbers end under the end of their heading (`TRY` over `  2`), as in listen's rows. */
  alignRight?: boolean;
}

/** The heading line: each title where its column starts. */
export function columnTitles(columns: readonly ListColumn[]): string {
  let line = "";
  for (const column of columns) line += " ".repeat(column.gap) + fitEnd(column.title, column.width);
  return line.trimEnd();
}

/**
 * A row's cells, each padded or cut to its column, `width` columns at most (past the narrowest
 * layout the row is cut at the end, as the heading is, so the two still line up).
 */
export function columnSegments<Key extends string>(
  columns: readonly ListColumn<Key>[],
  cells: Readonly<Record<Key, RowSegment>>,
  width = Infinity,
): RowSegment[] {
  const segments: RowSegment[] = [];
  for (const column of columns) {
    if (column.gap > 0) segments.push({ text: " ".repeat(column.gap) });
    const cell = cells[column.key];
    const fitted = column.cut === "middle" ? fitMiddle(cell.text, column.width) : fitEnd(cell.text, column.width);
    const text = column.alignRight ? fitted.trimEnd().padStart(column.width) : fitted;
    segments.push({ ...cell, text });
  }
  return cutSegments(segments, width);
}

/** Columns taken by a layout. */
export function columnsWidth(columns: readonly ListColumn[]): number {
  let width = 0;
  for (const column of columns) width += column.gap + column.width;
  return width;
}
