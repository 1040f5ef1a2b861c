import type { SignatureScheme } from "../signing/options.js";

/**
 * The admin API's resources as the assumed contract describes them (docs/ARCHITECTURE.md). The emulator serves these and
 * the client returns them, so both sides compile against one definition.
 */

export interface Endpoint {
  id: string; // "we_…"
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  /** In full only in the response to create (and rotate-secret); masked everywhere else. */
  secret: string;
  /**
   * How deliveries are signed: v1 (the default) or `standard` (Standard Webhooks headers). Absent in
   * answers from before schemes existed, which means v1.
   */
  scheme?: SignatureScheme;
  createdAt: string;
  updatedAt: string;
}

export interface CreateEndpointInput {
  url: string;
  events: string[];
  description?: string;
  enabled?: boolean;
  /** A `whsec_…` secret to use instead of a generated one (listen keeps its secret stable). */
  secret?: string;
  /** Default v1; `standard` needs a base64 secret (generated ones are). */
  scheme?: SignatureScheme;
}

export interface UpdateEndpointInput {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
  scheme?: SignatureScheme;
}

export type DeliveryStatus =
  | "pending" // first attempt not finished yet
  | "retrying" // an attempt failed; another is scheduled
  | "succeeded" // a 2xx
  | "failed" // a final 4xx: not retried
  | "permanently_failed"; // every attempt of the schedule failed

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "retrying", "succeeded", "failed", "permanently_failed"];

/** Statuses after which nothing more happens to a delivery unless someone redelivers it. */
export function isSettledStatus(status: DeliveryStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "permanently_failed";
}

export interface DeliveryAttempt {
  attempt: number; // 1-based
  startedAt: string;
  statusCode: number | null;
  error: string | null; // why there was no HTTP answer, e.g. "connection refused"
  durationMs: number;
  /** Headers sent on this attempt (each attempt is signed afresh: new timestamp, current secret). */
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  /** Truncated to a few KB. */
  responseBody: string | null;
  /** Set when responseBody is only the start of a longer answer. */
  responseTruncated?: boolean;
}

export interface Delivery {
  /** The payload's id (`whk_…`), also sent as X-Fanfare-Delivery-Id. */
  id: string;
  endpointId: string;
  eventType: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempt: number;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt: string | null;
  /** The exact body sent, byte for byte, on every attempt and redelivery. */
  request: { url: string; headers: Record<string, string>; body: string };
  /** The latest attempt's answer. */
  /** `truncated` is set when body is only the start of a longer answer (the emulator keeps 4 KB). */
  response: { statusCode: number | null; headers: Record<string, string> | null; body: string | null; truncated?: boolean } | null;
  error: string | null;
  durationMs: number | null;
  attempts: DeliveryAttempt[];
}

export interface EndpointHealth {
  healthy: boolean;
  lastDelivery: string | null;
  /** 0..1 over the deliveries kept, null when there are none. */
  successRate: number | null;
}

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}
