/** Header names from the webhooks overview; receivers look these up case-insensitively. */
export const HEADER = {
  signature: "X-Fanfare-Signature",
  timestamp: "X-Fanfare-Timestamp",
  eventType: "X-Fanfare-Event-Type",
  deliveryId: "X-Fanfare-Delivery-Id",
} as const;

export const USER_AGENT = "Fanfare-Webhooks/1.0";

export interface DeliveryHeaderInput {
  eventType: string;
  deliveryId: string;
  /** Unix seconds. */
  timestamp: number;
  signature: string;
}

/** Every header a Fanfare delivery carries, in the order the docs list them. */
export function deliveryHeaders(input: DeliveryHeaderInput): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    [HEADER.eventType.toLowerCase()]: input.eventType,
    [HEADER.deliveryId.toLowerCase()]: input.deliveryId,
    [HEADER.timestamp.toLowerCase()]: String(input.timestamp),
    [HEADER.signature.toLowerCase()]: input.signature,
  };
}
