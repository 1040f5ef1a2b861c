import type { SignatureScheme } from "./options.js";

/** Header names from the webhooks overview; receivers look these up case-insensitively. */
export const HEADER = {
  signature: "X-Fanfare-Signature",
  timestamp: "X-Fanfare-Timestamp",
  eventType: "X-Fanfare-Event-Type",
  deliveryId: "X-Fanfare-Delivery-Id",
} as const;

/** The Standard Webhooks headers (standardwebhooks.com), lower case as the spec writes them. */
export const STANDARD_HEADER = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
} as const;

export const USER_AGENT = "Fanfare-Webhooks/1.0";

interface DeliveryHeaderInput {
  eventType: string;
  deliveryId: string;
  /** Unix seconds. */
  timestamp: number;
  signature: string;
  /**
   * The scheme the signature was made in; without it, a `v1,…` signature is taken for the standard
   * scheme (the form only it has), anything else for Fanfare's headers.
   */
  scheme?: SignatureScheme;
}

/**
 * Every header a delivery carries, in the order the docs list them. The standard scheme puts the id,
 * timestamp and signature in the webhook-* headers its libraries read; X-Fanfare-Event-Type is still
 * sent, so a handler can route on it either way.
 */
export function deliveryHeaders(input: DeliveryHeaderInput): Record<string, string> {
  const standard = input.scheme === undefined ? input.signature.startsWith("v1,") : input.scheme === "standard";
  if (standard) {
    return {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      [HEADER.eventType.toLowerCase()]: input.eventType,
      [STANDARD_HEADER.id]: input.deliveryId,
      [STANDARD_HEADER.timestamp]: String(input.timestamp),
      [STANDARD_HEADER.signature]: input.signature,
    };
  }
  return {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    [HEADER.eventType.toLowerCase()]: input.eventType,
    [HEADER.deliveryId.toLowerCase()]: input.deliveryId,
    [HEADER.timestamp.toLowerCase()]: String(input.timestamp),
    [HEADER.signature.toLowerCase()]: input.signature,
  };
}

/** What a received delivery's headers give verification: X-Fanfare-*, else the webhook-* ones. */
interface ReceivedSignature {
  signature: string | undefined;
  timestamp: string | undefined;
  /** webhook-id, which the standard scheme signs. */
  id: string | undefined;
  /** The header the signature came from, for "no … header" messages. */
  header: string;
}

/** Reads the signature headers of a delivery (header names in lower case, as node gives them). */
export function receivedSignature(headers: Readonly<Record<string, string | undefined>>): ReceivedSignature {
  const fanfare = headers[HEADER.signature.toLowerCase()];
  const standard = headers[STANDARD_HEADER.signature];
  if ((fanfare === undefined || fanfare.trim() === "") && standard !== undefined && standard.trim() !== "") {
    return {
      signature: standard,
      timestamp: headers[STANDARD_HEADER.timestamp],
      id: headers[STANDARD_HEADER.id],
      header: STANDARD_HEADER.signature,
    };
  }
  return {
    signature: fanfare,
    timestamp: headers[HEADER.timestamp.toLowerCase()],
    id: headers[STANDARD_HEADER.id],
    header: HEADER.signature,
  };
}
