/**
 * Where an event type is documented, which says how far its sample can be trusted:
 * `reference` — the events reference shows its full payload, and the sample matches it field for field;
 * `guide` — only the webhooks guide names it; the sample follows the guide's handler types and Key Data;
 * `planned` — only the custom-webhooks page ("coming soon") names it; the sample is our best shape.
 */
export type EventStatus = "reference" | "guide" | "planned";

export const EVENT_STATUSES: readonly EventStatus[] = ["reference", "guide", "planned"];

export type EventCategory = "queue" | "draw" | "auction" | "order" | "consumer" | "distribution" | "experience";

export const EVENT_CATEGORIES: readonly EventCategory[] = [
  "queue",
  "draw",
  "auction",
  "order",
  "consumer",
  "distribution",
  "experience",
];

/** What a sample factory may draw on: the event's moment and fresh ids, so factories stay pure. */
export interface SampleContext {
  now: Date;
  /** A fresh ULID-style id with this prefix, e.g. id("cons") → "cons_01J…". */
  id(prefix: string): string;
}

export interface EventType {
  name: string;
  category: EventCategory | string;
  status: EventStatus;
  /** One line, from the docs' event tables. */
  description: string;
  /** The payload's `data` object for a delivery happening at ctx.now. */
  sampleData(ctx: SampleContext): Record<string, unknown>;
}

/** The body of every delivery (overview and events reference): the same envelope for every event type. */
export interface WebhookPayload {
  id: string;
  type: string;
  timestamp: string;
  organizationId: string;
  data: Record<string, unknown>;
}

export const ENVELOPE_KEYS: readonly (keyof WebhookPayload)[] = ["id", "type", "timestamp", "organizationId", "data"];
