import { createHttpClient, type HttpClientFactory } from "../http/client.js";
import { describeNetworkError } from "../http/errors.js";
import { deliveryHeaders } from "../signing/headers.js";
import type { SignatureScheme } from "../signing/options.js";
import { signPayload } from "../signing/signature.js";
import { isOk, type DeliveryResult, type NetworkErrorCode } from "./report.js";

/** The docs give receivers 30 seconds to answer. */
const DELIVERY_TIMEOUT_MS = 30_000;
/** How much of a receiver's answer is kept: enough to show why it failed. */
const RESPONSE_BODY_LIMIT = 2048;

/** A delivery ready to go: the exact bytes to send and the headers that sign them. */
export interface SignedDelivery {
  eventType: string;
  /** The payload id, sent as X-Fanfare-Delivery-Id (webhook-id in the standard scheme). */
  deliveryId: string;
  /** Text for samples; bytes for a replayed capture, sent exactly as they arrived. */
  body: string | Buffer;
  headers: Record<string, string>;
}

interface SignInput {
  eventType: string;
  deliveryId: string;
  /** The serialized payload; what is signed is exactly what is sent. */
  body: string | Buffer;
  secret: string;
  scheme: SignatureScheme;
  /** Unix seconds, for X-Fanfare-Timestamp and the v1 signature. */
  timestamp: number;
}

export function signDelivery(input: SignInput): SignedDelivery {
  const signature = signPayload(input.secret, input.body, input.scheme, input.timestamp, input.deliveryId);
  return {
    eventType: input.eventType,
    deliveryId: input.deliveryId,
    body: input.body,
    headers: deliveryHeaders({
      eventType: input.eventType,
      deliveryId: input.deliveryId,
      timestamp: input.timestamp,
      signature,
      scheme: input.scheme,
    }),
  };
}

interface DeliveryClientOptions {
  /** Sockets kept open per origin; match the run's concurrency. */
  connections?: number;
  timeoutMs?: number;
  /** The HTTP layer to send through. */
  http?: HttpClientFactory;
}

/**
 * Sends signed deliveries over keep-alive connections, one pool per origin, so a run of thousands
 * reuses a handful of sockets. Call close() when done (open sockets keep Node alive).
 */
export interface DeliveryClient {
  send(url: URL, delivery: SignedDelivery): Promise<DeliveryResult>;
  /** Waits for requests in flight, then closes every connection. */
  close(): Promise<void>;
  /** Fails requests in flight at once (Ctrl-C) and closes every connection. */
  destroy(): Promise<void>;
}

export async function createDeliveryClient(options: DeliveryClientOptions = {}): Promise<DeliveryClient> {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const http = (options.http ?? createHttpClient)({ connections: options.connections ?? 1, timeoutMs });
  // The first delivery should not wait for the library to load, nor have that counted in its time.
  await http.ready();
  let destroyed = false;

  const send = async (url: URL, delivery: SignedDelivery): Promise<DeliveryResult> => {
    const start = performance.now();
    let status: number | null = null;
    let responseBody = "";
    let problem: { code: NetworkErrorCode; message: string } | undefined;
    try {
      const answer = await http.request(url, { headers: delivery.headers, body: delivery.body, keepBytes: RESPONSE_BODY_LIMIT });
      status = answer.status;
      // A multi-byte character cut at the limit decodes to U+FFFD, which is fine for a preview.
      responseBody = answer.body.toString("utf8");
    } catch (error) {
      problem = destroyed ? { code: "interrupted", message: "interrupted" } : describeDeliveryError(error, timeoutMs);
    }
    return {
      event: delivery.eventType,
      id: delivery.deliveryId,
      url: url.href,
      status,
      ok: isOk(status),
      durationMs: performance.now() - start,
      error: problem?.message ?? null,
      errorCode: problem?.code ?? null,
      responseBody,
    };
  };

  return {
    send,
    close: () => http.close(),
    destroy: async () => {
      destroyed = true;
      await http.destroy();
    },
  };
}

export function describeDeliveryError(error: unknown, timeoutMs = DELIVERY_TIMEOUT_MS): {
  code: NetworkErrorCode;
  message: string;
} {
  const { cause, message } = describeNetworkError(error, { timeoutMs });
  return { code: cause, message };
}
