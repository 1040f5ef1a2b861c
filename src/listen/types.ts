/**
 * What a listen session tells its views. The session (src/listen/) knows nothing of terminals; the
 * views (src/listen/view/) only render these.
 */

import type { DeliveryAttempt, DeliveryStatus } from "../api/types.js";
import type { SessionNotice } from "./notices.js";

type ListenMode = "local" | "connected";

export interface SessionInfo {
  mode: ListenMode;
  /** Where the receiver listens, e.g. http://127.0.0.1:43123/webhooks */
  receiverUrl: string;
  /** The tunnel's public URL in connected mode with a tunnel; null otherwise. */
  publicUrl: string | null;
  /** Where deliveries are forwarded, e.g. http://localhost:3000/webhooks (the first --forward). */
  forwardUrl: string;
  /** Every --forward, in order; absent means forwardUrl alone, for every event. */
  forwards?: readonly { pattern: string | null; url: string }[];
  /** The endpoint deliveries come from in connected mode (temporary or --endpoint). */
  endpointId: string | null;
  /** The session's signing secret, in full; views mask it until asked. */
  secret: string;
  /** Event types subscribed to; empty means all. */
  events: string[];
}

export type SignatureCheck = "valid" | "invalid" | "missing";

export interface ForwardResult {
  url: string;
  /** The target's status, or null when it could not be reached or timed out. */
  statusCode: number | null;
  /** "connection refused", "timed out after 30 s", …, when there is no status. */
  error: string | null;
  durationMs: number;
  responseHeaders: Record<string, string>;
  /** Truncated. */
  responseBody: string;
}

export interface DeliveryRecord {
  /** Order of arrival in this session, from 1. */
  seq: number;
  /** X-Fanfare-Delivery-Id, else the payload id, else a generated one. */
  id: string;
  eventType: string;
  /** Epoch ms. */
  receivedAt: number;
  /** How many times this delivery id has arrived in this session (platform retries), from 1. */
  attempt: number;
  signature: SignatureCheck;
  signatureReason: string | null;
  request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    /** The raw body, byte for byte. */
    body: Buffer;
  };
  /**
   * null while the forward is in flight; then the outcome the sender was answered with: the one
   * target's answer, or with several targets the worst of them (see `targets`).
   */
  target: ForwardResult | null;
  /**
   * Every matching target's answer, in --forward order, once all have answered; absent when there is
   * one target (then `target` says it all). Empty: no --forward matched the event type.
   */
  targets?: readonly ForwardResult[];
  /** The seq of the record this one replays, when it came from a replay. */
  replayOf: number | null;
  /**
   * Set when the record is a delivery of the platform's log (`deliveries tail`), not one that reached
   * listen: its endpoint, status, next retry and every attempt. `target` is then its latest attempt.
   */
  platform?: PlatformFacts;
}

/** What the platform's delivery log says of a delivery beyond what a listen record holds. */
interface PlatformFacts {
  endpointId: string;
  status: DeliveryStatus;
  /** ISO time of the next retry, null when none is scheduled. */
  nextAttemptAt: string | null;
  attempts: readonly DeliveryAttempt[];
}

/** What the live view reads deliveries from, and sends replays through. */
export interface ListenViewSource {
  info: SessionInfo;
  /** called when a record arrives (target null) and again when its forward completes (same seq, target set); returns unsubscribe */
  subscribe(listener: (record: DeliveryRecord) => void): () => void;
  /**
   * re-sends a delivery the view shows (it will show up as a new record with replayOf): the record
   * itself, since the view may still show one the relay's bounded log no longer keeps
   */
  replay(record: DeliveryRecord): Promise<void>;
  /** the tunnel and app-health notices (the current ones first, then each new one); returns unsubscribe */
  subscribeNotices?(listener: (notice: SessionNotice) => void): () => void;
}

/** The header of `deliveries tail`'s view: which log is watched, and how. */
export interface DeliveryLogInfo {
  mode: "tail";
  /** The endpoints tailed (escaped); empty with `all`. */
  endpoints: string[];
  all: boolean;
  apiBase: string;
  intervalMs: number;
  /** `--status`, `--events` as given (escaped), for the header. */
  status: string | null;
  events: string | null;
}

/** How polling goes, for the header: polling, or waiting out a 429 or an unreachable API. */
export type DeliveryLogPollState =
  | { state: "starting" }
  | { state: "polling"; lastPollAt: number; endpoints: number }
  | { state: "waiting"; why: "rate_limited" | "unreachable"; message: string; retryAt: number; endpoints: number };

/**
 * The platform's delivery log as a source of the same live view (`deliveries tail`): records carry
 * `platform`, and the same seq is sent again whenever the delivery changes (a new attempt).
 */
export interface DeliveryLogSource {
  info: DeliveryLogInfo;
  subscribe(listener: (record: DeliveryRecord) => void): () => void;
  /** Redelivers the delivery the record shows; resolves with a line saying how the new attempt went. */
  replay(record: DeliveryRecord): Promise<string>;
  /** Called with the poll state now and on every change; returns unsubscribe. */
  subscribePolling(listener: (state: DeliveryLogPollState) => void): () => void;
  /** Called with what the person watching should know (an endpoint deleted); returns unsubscribe. */
  subscribeMessages(listener: (text: string) => void): () => void;
}

/** Either kind of source the live view draws: listen's relay, or the platform's delivery log. */
export type LiveViewSource = ListenViewSource | DeliveryLogSource;

export function isDeliveryLogSource(source: LiveViewSource): source is DeliveryLogSource {
  return source.info.mode === "tail";
}
