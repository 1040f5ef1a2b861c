import type { Pool } from "undici";
import { deliveryHeaders } from "../signing/headers.js";
import type { SignatureScheme } from "../signing/options.js";
import { signPayload } from "../signing/signature.js";
import { isOk, type DeliveryResult, type NetworkErrorCode } from "./report.js";

/** The docs give receivers 30 seconds to answer. */
export const DELIVERY_TIMEOUT_MS = 30_000;
/** How much of a receiver's answer is kept: enough to show why it failed. */
export const RESPONSE_BODY_LIMIT = 2048;

/** A delivery ready to go: the exact bytes to send and the headers that sign them. */
export interface SignedDelivery {
  eventType: string;
  /** The payload id, sent as X-Fanfare-Delivery-Id. */
  deliveryId: string;
  body: string;
  headers: Record<string, string>;
}

export interface SignInput {
  eventType: string;
  deliveryId: string;
  /** The serialized payload; what is signed is exactly what is sent. */
  body: string;
  secret: string;
  scheme: SignatureScheme;
  /** Unix seconds, for X-Fanfare-Timestamp and the v1 signature. */
  timestamp: number;
}

export function signDelivery(input: SignInput): SignedDelivery {
  const signature = signPayload(input.secret, input.body, input.scheme, input.timestamp);
  return {
    eventType: input.eventType,
    deliveryId: input.deliveryId,
    body: input.body,
    headers: deliveryHeaders({
      eventType: input.eventType,
      deliveryId: input.deliveryId,
      timestamp: input.timestamp,
      signature,
    }),
  };
}

export interface DeliveryClientOptions {
  /** Sockets kept open per origin; match the run's concurrency. */
  connections?: number;
  timeoutMs?: number;
}

/**
 * Sends signed deliveries over keep-alive connections, one undici Pool per origin, so a run of
 * thousands reuses a handful of sockets. Call close() when done (open sockets keep Node alive).
 */
export interface DeliveryClient {
  send(url: URL, delivery: SignedDelivery): Promise<DeliveryResult>;
  /** Waits for requests in flight, then closes every connection. */
  close(): Promise<void>;
  /** Fails requests in flight at once (Ctrl-C) and closes every connection. */
  destroy(): Promise<void>;
}

export async function createDeliveryClient(options: DeliveryClientOptions = {}): Promise<DeliveryClient> {
  const Pool = await loadPool();
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const pools = new Map<string, Pool>();
  // URL getters build new strings on every call; a run sends thousands of deliveries to one URL.
  const routes = new WeakMap<URL, Route>();
  let destroyed = false;

  const routeFor = (url: URL): Route => {
    let route = routes.get(url);
    if (route === undefined) {
      let pool = pools.get(url.origin);
      if (pool === undefined) {
        pool = new Pool(url.origin, {
          connections: options.connections ?? 1,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connect: { timeout: Math.min(timeoutMs, 10_000) },
        });
        pools.set(url.origin, pool);
      }
      route = { pool, path: url.pathname + url.search, href: url.href };
      routes.set(url, route);
    }
    return route;
  };

  const send = (url: URL, delivery: SignedDelivery): Promise<DeliveryResult> => {
    const { pool, path, href } = routeFor(url);
    const start = performance.now();
    const result = (status: number | null, responseBody: string, problem?: { code: NetworkErrorCode; message: string }) => ({
      event: delivery.eventType,
      id: delivery.deliveryId,
      url: href,
      status,
      ok: isOk(status),
      durationMs: performance.now() - start,
      error: problem?.message ?? null,
      errorCode: problem?.code ?? null,
      responseBody,
    });
    return new Promise<DeliveryResult>((resolve) => {
      // dispatch() with a handler rather than request(): no response stream to set up per
      // delivery, and the answer is kept only up to RESPONSE_BODY_LIMIT as it arrives.
      let status = 0;
      const kept = new ResponsePreview(RESPONSE_BODY_LIMIT);
      pool.dispatch(
        { path, method: "POST", headers: delivery.headers, body: delivery.body },
        {
          // Its presence tells undici this handler uses the current (controller) interface.
          onRequestStart() {},
          onResponseStart(_controller, statusCode) {
            status = statusCode;
          },
          onResponseData(_controller, chunk) {
            kept.add(chunk);
          },
          onResponseEnd() {
            resolve(result(status, kept.text()));
          },
          onResponseError(_controller, error) {
            const problem = destroyed ? { code: "interrupted" as const, message: "interrupted" } : describeNetworkError(error, timeoutMs);
            resolve(result(null, "", problem));
          },
        },
      );
    });
  };

  return {
    send,
    close: async () => {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
    destroy: async () => {
      destroyed = true;
      await Promise.all([...pools.values()].map((p) => p.destroy()));
      pools.clear();
    },
  };
}

type PoolClass = typeof import("undici").Pool;

/**
 * undici's Pool on its own. The package's index also loads fetch, cookies, WebSocket and more:
 * ~50 ms of start-up that every `trigger` would pay before its first delivery. undici declares no
 * "exports", so the file is reachable; should a release move it, the index is the fallback.
 */
async function loadPool(): Promise<PoolClass> {
  try {
    const path = "undici/lib/dispatcher/pool.js";
    const module = (await import(path)) as { default?: unknown };
    if (typeof module.default === "function") return module.default as PoolClass;
  } catch {
    // fall through to the package's entry point
  }
  return (await import("undici")).Pool;
}

interface Route {
  pool: Pool;
  path: string;
  href: string;
}

/**
 * The start of a response body as text; the rest is read (so the connection can be reused) and
 * dropped, so a large answer is never held in memory.
 */
class ResponsePreview {
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    if (this.kept >= this.limit) return;
    const part = chunk.length > this.limit - this.kept ? chunk.subarray(0, this.limit - this.kept) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  text(): string {
    if (this.chunks.length === 0) return "";
    // A multi-byte character cut at the limit decodes to U+FFFD, which is fine for a preview.
    return (this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)).toString("utf8");
  }
}

/** The error's code, wherever Node or undici put it (happy eyeballs wraps it in an AggregateError). */
function errorCodeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[]; cause?: unknown } | null;
  if (e === null || typeof e !== "object") return undefined;
  if (typeof e.code === "string" && e.code !== "ERR_AGGREGATE") return e.code;
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCodeOf(e.errors[0]);
  if (e.cause !== undefined) return errorCodeOf(e.cause);
  return typeof e.code === "string" ? e.code : undefined;
}

export function describeNetworkError(error: unknown, timeoutMs = DELIVERY_TIMEOUT_MS): {
  code: NetworkErrorCode;
  message: string;
} {
  const code = errorCodeOf(error);
  switch (code) {
    case "ECONNREFUSED":
      return { code: "connection_refused", message: "connection refused" };
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return {
        code: "timeout",
        message: `no answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`,
      };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { code: "host_not_found", message: "host not found" };
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
    case "EPIPE":
      return { code: "connection_reset", message: "connection closed by the receiver" };
    case "UND_ERR_DESTROYED":
    case "UND_ERR_ABORTED":
      return { code: "interrupted", message: "interrupted" };
    default: {
      const message = error instanceof Error && error.message ? error.message : String(error);
      return { code: "network_error", message: code ? `${message} (${code})` : message };
    }
  }
}
