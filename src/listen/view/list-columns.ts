import { createStyle, type Style } from "../../terminal/style.js";

/**
 * Columns of the delivery list laid out once for a width (fitColumns), then used for both the
 * heading (columnTitles) and every row (columnSegments), so a heading always sits over its cells:
 * whatever is dropped or shrunk for a narrow terminal is dropped or shrunk in both (pure: no Ink).
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
  /** Numbers end under the end of their heading (`TRY` over `  2`); a mark sits in the middle (` ✓ `). */
  align?: "right" | "center";
}

/** The widths of the two columns that share what is left: the event type and the id. */
export interface FlexibleWidths {
  event: number;
  id: number;
}

const MIN_EVENT_WIDTH = 12;
const MAX_EVENT_WIDTH = 40;
const MIN_ID_WIDTH = 12;
const MAX_ID_WIDTH = 30;
/** Room kept right of the column titles for the `↑ 988 ↓ 12` scroll hint, when there is plenty. */
const HINT_WIDTH = 10;
/** Below this the event column stops shrinking and the whole line (heading and rows) is cut at the end. */
const LAST_EVENT_WIDTH = 6;

/**
 * The columns for a terminal `width` wide: all of them if the event type and the id get 12 columns
 * each, else without the first of `dropOrder`, then the next…; what is left over widens the event
 * type (up to 40) and the id (up to 30, once the event has 22), and leaves room for the scroll hint
 * when there is plenty. `columnsFor` builds every column for given event and id widths.
 */
export function fitColumns<Key extends string>(
  width: number,
  columnsFor: (widths: FlexibleWidths) => ListColumn<Key>[],
  dropOrder: readonly Key[],
): ListColumn<Key>[] {
  for (let dropped = 0; dropped <= dropOrder.length; dropped++) {
    const gone = new Set<string>(dropOrder.slice(0, dropped));
    const kept = (columns: ListColumn<Key>[]) => columns.filter((column) => !gone.has(column.key));
    const flexible = kept(columnsFor({ event: 0, id: 0 }));
    const hasId = flexible.some((column) => column.key === "id");
    const least = MIN_EVENT_WIDTH + (hasId ? MIN_ID_WIDTH : 0);
    const free = width - columnsWidth(flexible);
    if (free < least && dropped < dropOrder.length) continue;
    // The scroll hint's room is given up gradually as the width shrinks, so a wider terminal never
    // gets narrower columns.
    const room = Math.max(Math.min(free, least + HINT_WIDTH), free - HINT_WIDTH);
    return kept(columnsFor(hasId ? shareWidths(room) : { event: Math.max(LAST_EVENT_WIDTH, Math.min(MAX_EVENT_WIDTH, room)), id: 0 }));
  }
  throw new Error("unreachable: the last step always lays out");
}

/** The event type gets the most room; ids (ULID-style, ~30 chars) give way first on narrow screens. */
function shareWidths(free: number): FlexibleWidths {
  const room = Math.max(0, free);
  const id = Math.max(MIN_ID_WIDTH, Math.min(MAX_ID_WIDTH, room - 22));
  const event = Math.max(MIN_EVENT_WIDTH, Math.min(MAX_EVENT_WIDTH, room - id));
  return { event, id };
}

/** The heading line: each title where its column starts. */
export function columnTitles(columns: readonly ListColumn[]): string {
  let line = "";
  for (const column of columns) line += " ".repeat(column.gap) + fitCell(column.title, column);
  return line.trimEnd();
}

/**
 * A row's cells, each padded or cut to its column, then `extra` (beyond the columns), `width`
 * columns at most: past the narrowest layout the row is cut at the end, as the heading is, so the
 * two still line up.
 */
export function columnSegments<Key extends string>(
  columns: readonly ListColumn<Key>[],
  cells: Readonly<Record<Key, RowSegment>>,
  width = Infinity,
  extra: readonly RowSegment[] = [],
): RowSegment[] {
  const segments: RowSegment[] = [];
  for (const column of columns) {
    if (column.gap > 0) segments.push({ text: gapOf(column.gap) });
    const cell = cells[column.key];
    segments.push({ ...cell, text: fitCell(cell.text, column) });
  }
  segments.push(...extra);
  return cutSegments(segments, width);
}

function fitCell(text: string, column: ListColumn): string {
  if (text.length >= column.width || column.align === undefined) {
    return column.cut === "middle" ? fitMiddle(text, column.width) : fitEnd(text, column.width);
  }
  if (column.align === "right") return text.padStart(column.width);
  const before = Math.floor((column.width - text.length) / 2);
  return (" ".repeat(before) + text).padEnd(column.width);
}

const GAPS = [" ".repeat(0), " ", "  ", "   "];
function gapOf(gap: number): string {
  return GAPS[gap] ?? " ".repeat(gap);
}

/** Columns taken by a layout. */
function columnsWidth(columns: readonly ListColumn[]): number {
  let width = 0;
  for (const column of columns) width += column.gap + column.width;
  return width;
}

type RowTint = "ok" | "warn" | "error" | "pending" | "dim" | "strong";

export interface RowSegment {
  text: string;
  tint?: RowTint;
}

/** Pads or cuts to exactly `width` columns, cutting at the end. */
function fitEnd(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + "…" : text.padEnd(width);
}

/** Pads or cuts to `width`, keeping both ends: ULID ids differ at the end, prefixes name the kind. */
function fitMiddle(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  const tail = Math.floor((width - 1) / 2);
  return text.slice(0, width - 1 - tail) + "…" + text.slice(text.length - tail);
}

/** Cuts segments to `width` columns in all, ending a cut one with `…`. */
function cutSegments(segments: RowSegment[], width: number): RowSegment[] {
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
