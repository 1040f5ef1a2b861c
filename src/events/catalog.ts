import { usageError } from "../errors.js";
import {
  AUCTION_EVENTS,
  CONSUMER_EVENTS,
  DISTRIBUTION_EVENTS,
  DRAW_EVENTS,
  EXPERIENCE_EVENTS,
  ORDER_EVENTS,
  QUEUE_EVENTS,
} from "./definitions.js";
import { mirrorOf } from "./mirrors.js";
import { closestNames } from "./suggest.js";
import { EVENT_CATEGORIES, EVENT_STATUSES, type EventStatus, type EventType } from "./types.js";

export { EVENT_CATEGORIES, EVENT_STATUSES };
export type { EventCategory, EventStatus, EventType, SampleContext } from "./types.js";

/**
 * Every event type the Fanfare webhook docs name, by category; within a category the reference's first,
 * then the guide's, then the planned page's.
 */
export const EVENT_TYPES: readonly EventType[] = Object.freeze([
  ...QUEUE_EVENTS,
  ...DRAW_EVENTS,
  ...AUCTION_EVENTS,
  ...ORDER_EVENTS,
  ...CONSUMER_EVENTS,
  ...DISTRIBUTION_EVENTS,
  ...EXPERIENCE_EVENTS,
]);

const BY_NAME = new Map(EVENT_TYPES.map((e) => [e.name, e]));

export function findEventType(name: string): EventType | undefined {
  return BY_NAME.get(name);
}

export function eventNames(): string[] {
  return EVENT_TYPES.map((e) => e.name);
}

const LIST_COMMAND = "fanfare webhooks events";

/** The catalog entry for `name`, or a usage error (exit 2) that suggests the names closest to it. */
export function requireEventType(name: string): EventType {
  const found = BY_NAME.get(name);
  if (found) return found;
  throw usageError(`unknown event "${name}"`, unknownEventHint(name), "unknown_event");
}

function unknownEventHint(name: string): string {
  const category = (EVENT_CATEGORIES as readonly string[]).includes(name.trim().toLowerCase())
    ? name.trim().toLowerCase()
    : undefined;
  const list = category
    ? `Run "${LIST_COMMAND} --category ${category}" to list all ${EVENT_TYPES.filter((e) => e.category === category).length}.`
    : `Run "${LIST_COMMAND}" to list all ${EVENT_TYPES.length}.`;
  const suggestions = withMirrors(closestNames(name, eventNames(), 6)).slice(0, 3);
  if (suggestions.length === 0) return list.charAt(0).toLowerCase() + list.slice(1);
  return `did you mean ${orList(suggestions)}? ${list}`;
}

/**
 * A guide spelling and the reference one it mirrors are one event to the user: when both are close,
 * only the reference name is offered; a mirror alone says which reference name it stands for.
 */
function withMirrors(names: string[]): string[] {
  const offered = new Set(names);
  return names.flatMap((n) => {
    const mirror = mirrorOf(n);
    if (!mirror) return [n];
    return offered.has(mirror) ? [] : [`${n} (mirrors ${mirror})`];
  });
}

function orList(items: string[]): string {
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

interface EventFilter {
  status?: string[];
  category?: string[];
}

/** The catalog narrowed by `--status` and `--category`; an unknown value is a usage error. */
export function filterEventTypes(filter: EventFilter = {}): EventType[] {
  const statuses = checkValues("--status", filter.status, EVENT_STATUSES);
  const categories = checkValues("--category", filter.category, EVENT_CATEGORIES);
  return EVENT_TYPES.filter(
    (e) => (!statuses || statuses.includes(e.status)) && (!categories || categories.includes(e.category)),
  );
}

function checkValues(flag: string, given: string[] | undefined, allowed: readonly string[]): string[] | undefined {
  if (!given || given.length === 0) return undefined;
  const values = given.map((v) => v.trim().toLowerCase());
  for (const [i, value] of values.entries()) {
    if (!allowed.includes(value)) {
      const code = flag === "--status" ? "unknown_status" : "unknown_category";
      throw usageError(`unknown ${flag} "${given[i]}"`, `use one of ${allowed.join(", ")}`, code);
    }
  }
  return values;
}

export function countByStatus(events: readonly EventType[] = EVENT_TYPES): Record<EventStatus, number> {
  const counts: Record<EventStatus, number> = { reference: 0, guide: 0, planned: 0 };
  for (const e of events) counts[e.status]++;
  return counts;
}

/** The events named (checked against the catalog, in the order given, without repeats) or all of them. */
export function chooseEvents(names: string[], all: boolean): Map<string, EventType> {
  if (all && names.length > 0) {
    throw usageError("give event names or --all, not both", "e.g. fanfare webhooks trigger --all --forward-to …", "usage");
  }
  if (!all && names.length === 0) {
    throw usageError(
      "no event to send",
      'name one or more, e.g. "fanfare webhooks trigger draw.consumer.won", or pass --all (list them: fanfare webhooks events)',
      "missing_event",
    );
  }
  if (all) return new Map(EVENT_TYPES.map((e) => [e.name, e]));
  const chosen = new Map<string, EventType>();
  for (const name of names) chosen.set(name, requireEventType(name));
  return chosen;
}
