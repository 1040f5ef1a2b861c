import { EVENT_TYPES } from "./catalog.js";
import { sampleOf } from "./sample.js";
import type { EventType } from "./types.js";

/**
 * The shape of a payload, read off the catalog's samples: the catalog holds sample factories, not
 * schemas, and every factory returns the same fields of the same JSON types on every call, so a
 * sample's shape is the event's shape. `webhooks types` renders it as TypeScript and JSON Schema,
 * which is why `sample` output always fits the generated types. Pure.
 */
export type Shape =
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "boolean" }
  /** A `null` in a sample: the docs show null only where a text value may be missing (phone). */
  | { kind: "nullable-string" }
  /** The `type` field: the event's own name. */
  | { kind: "literal"; value: string }
  | { kind: "array"; items: Shape | null }
  | { kind: "object"; fields: FieldShape[] }
  | { kind: "union"; options: Shape[] };

interface FieldShape {
  name: string;
  shape: Shape;
  /** Missing from some elements of an array of objects. */
  optional: boolean;
}

export interface EventShape {
  event: EventType;
  /** The whole delivery body: envelope and data. */
  payload: Extract<Shape, { kind: "object" }>;
}

/** Every documented event's payload shape, in catalog order. */
export function eventShapes(events: readonly EventType[] = EVENT_TYPES): EventShape[] {
  // A fixed moment: shapes do not depend on it, and a fixed one keeps the output reproducible.
  const now = new Date(Date.UTC(2024, 0, 1));
  return events.map((event) => {
    const payload = shapeOf(sampleOf(event, { now })) as Extract<Shape, { kind: "object" }>;
    const fields = payload.fields.map((f) => (f.name === "type" ? { ...f, shape: { kind: "literal", value: event.name } as Shape } : f));
    return { event, payload: { kind: "object", fields } };
  });
}

export function shapeOf(value: unknown): Shape {
  if (value === null) return { kind: "nullable-string" };
  if (Array.isArray(value)) {
    return { kind: "array", items: value.length === 0 ? null : value.map(shapeOf).reduce(mergeShapes) };
  }
  switch (typeof value) {
    case "string":
      return { kind: "string" };
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "boolean" };
    case "object":
      return {
        kind: "object",
        fields: Object.entries(value as Record<string, unknown>).map(([name, v]) => ({ name, shape: shapeOf(v), optional: false })),
      };
    default:
      throw new Error(`a sample holds a ${typeof value}, which JSON cannot carry`);
  }
}

/** One shape for the elements of an array: objects merge field by field, anything else unites. */
function mergeShapes(a: Shape, b: Shape): Shape {
  if (sameShape(a, b)) return a;
  if (a.kind === "object" && b.kind === "object") {
    const names = [...new Set([...a.fields.map((f) => f.name), ...b.fields.map((f) => f.name)])];
    return {
      kind: "object",
      fields: names.map((name) => {
        const x = a.fields.find((f) => f.name === name);
        const y = b.fields.find((f) => f.name === name);
        if (x && y) return { name, shape: mergeShapes(x.shape, y.shape), optional: x.optional || y.optional };
        return { ...(x ?? y)!, optional: true };
      }),
    };
  }
  if (a.kind === "array" && b.kind === "array") {
    return { kind: "array", items: a.items === null ? b.items : b.items === null ? a.items : mergeShapes(a.items, b.items) };
  }
  const options = [...(a.kind === "union" ? a.options : [a]), ...(b.kind === "union" ? b.options : [b])];
  const distinct = options.filter((o, i) => options.findIndex((p) => sameShape(o, p)) === i);
  return { kind: "union", options: distinct };
}

function sameShape(a: Shape, b: Shape): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `draw.winners_selected` → `DrawWinnersSelected`: the stem of an event's type names. */
function typeNameOf(eventName: string): string {
  return eventName
    .split(/[._-]+/)
    .filter((part) => part !== "")
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

/**
 * The type-name stem of each event, unique: the guide spells a few reference events with an
 * underscore (`queue.consumer_entered` beside `queue.consumer.entered`), which would give the same
 * stem, so the one that is not the reference's takes its status as a suffix (`…EnteredGuide`).
 */
export function typeNames(events: readonly EventType[]): Map<string, string> {
  const stems = new Map<string, EventType[]>();
  for (const event of events) {
    const stem = typeNameOf(event.name);
    stems.set(stem, [...(stems.get(stem) ?? []), event]);
  }
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const [stem, group] of stems) {
    // The reference's event (or else the first) keeps the plain stem.
    const plain = group.find((e) => e.status === "reference") ?? group[0]!;
    for (const event of [plain, ...group.filter((e) => e !== plain)]) {
      let name = event === plain ? stem : stem + event.status[0]!.toUpperCase() + event.status.slice(1);
      for (let n = 2; taken.has(name); n++) name = `${stem}${n}`;
      taken.add(name);
      names.set(event.name, name);
    }
  }
  return names;
}
