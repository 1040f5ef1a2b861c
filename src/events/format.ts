import type { Style } from "../terminal/style.js";
import { countByStatus, EVENT_TYPES } from "./catalog.js";
import { mirrorOf } from "./mirrors.js";
import type { EventStatus, EventType } from "./types.js";

/** What `events --json` prints for each event type. */
interface EventSummary {
  name: string;
  category: string;
  status: EventStatus;
  description: string;
  /** The reference name a guide or planned name means the same as (events/mirrors.ts), else null. */
  mirrors: string | null;
}

export function summarize(event: EventType): EventSummary {
  return {
    name: event.name,
    category: event.category,
    status: event.status,
    description: event.description,
    mirrors: mirrorOf(event.name),
  };
}

const STATUS_STYLE: Record<EventStatus, (style: Style) => Style> = {
  reference: (s) => s.green,
  guide: (s) => s.yellow,
  planned: (s) => s.magenta,
};

/**
 * The `events` table for people, then a count line:
 * ```
 * NAME                     CATEGORY  STATUS     DESCRIPTION
 * queue.consumer.entered   queue     reference  Consumer joined a queue
 * queue.consumer_entered   queue     guide      Consumer joined queue (mirrors queue.consumer.entered)
 * …
 * 52 event types: 21 reference, 19 guide, 12 planned
 * reference: payload from the events reference · guide: …
 * ```
 */
export function eventTable(events: readonly EventType[], style: Style): string[] {
  const header = ["NAME", "CATEGORY", "STATUS", "DESCRIPTION"];
  const rows = events.map((e) => {
    const mirror = mirrorOf(e.name);
    return [e.name, e.category, e.status, mirror ? `${e.description} (mirrors ${mirror})` : e.description];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], colour: (cell: string, column: number) => string) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? colour(cell, i) : colour(cell, i) + " ".repeat(widths[i]! - cell.length)))
      .join("  ");

  const lines = [line(header, (cell) => style.bold(cell))];
  for (const [i, row] of rows.entries()) {
    const status = events[i]!.status;
    lines.push(line(row, (cell, column) => (column === 2 ? STATUS_STYLE[status](style)(cell) : cell)));
  }
  lines.push("", style.dim(countLine(events)), style.dim(STATUS_LEGEND));
  if (events.some((e) => mirrorOf(e.name))) lines.push(style.dim(MIRROR_LEGEND));
  return lines;
}

export function countLine(shown: readonly EventType[]): string {
  const counts = countByStatus(shown);
  const breakdown = `${counts.reference} reference, ${counts.guide} guide, ${counts.planned} planned`;
  const total = EVENT_TYPES.length;
  if (shown.length === total) return `${total} event types: ${breakdown}`;
  return `${shown.length} of ${total} event types: ${breakdown}`;
}

/** What the statuses mean, for the foot of the table. */
const STATUS_LEGEND =
  "reference: payload from the events reference · guide: named in the webhooks guide · planned: announced, not yet sent";

/** Under the legend when a shown name mirrors another. */
const MIRROR_LEGEND = "(mirrors X): the same event as the reference name X, whose payload the platform documents: prefer X";
