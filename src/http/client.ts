import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher, Pool } from "undici";
import { DeadlineExceededError, ResponseTooLargeError } from "./errors.js";
import type { unsendableHeader } from "./header-rules.js";

interface HttpClientOptions {
  /** Keep-alive sockets per origin: match the concurrency of the caller. */
  connections?: number;
  /**
   * How long the answer's headers, and then each pause between its body bytes, may take. A connect
   * gets the same or ten seconds, whichever is less: a host that takes longer to accept is down.
   */
  timeoutMs?: number;
  /** How long an idle socket is kept for the next request. */
  keepAliveMs?: number;
}

export type HttpMethod = Dispatcher.HttpMethod;

interface HttpRequest {
  method?: HttpMethod;
  headers: Record<string, string>;
  body?: string | Buffer;
  /**
   * Bytes of the answer held; the rest is read and dropped, so the socket can be reused and a
   * receiver answering megabytes costs no memory. Unlimited when absent.
   */
  keepBytes?: number;
  /** A longer answer fails the request as too large instead of being cut. */
  maxBytes?: number;
  /**
   * The whole exchange must end within this long, counted from when the request is handed to the
   * pool: loading the library or waiting for it is never charged to the receiver.
   */
  deadlineMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The answer was longer than `keepBytes`, so `body` is only its start. */
  truncated: boolean;
}

/**
 * Keep-alive connections, one pool per origin, shared by every request of a caller. A failed request
 * rejects with what Node or undici threw, or with an InvalidHeaderError for a header undici would
 * refuse (never handed to the pool: see header-rules.ts): `describeNetworkError` words it.
 */
export interface HttpClient {
  request(url: URL | string, request: HttpRequest): Promise<HttpAnswer>;
  /** Resolves once the client can send at once (undici is loaded on first use). */
  ready(): Promise<void>;
  /** Waits for requests in flight, then closes every connection. */
  close(): Promise<void>;
  /** Fails requests in flight at once and closes every connection. */
  destroy(): Promise<void>;
}

/** How the senders get their client: createHttpClient in the CLI, whatever a test passes. */
export type HttpClientFactory = (options: HttpClientOptions) => HttpClient;

/** Headers as one string each, repeated ones joined as HTTP allows, for records and display. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  // undici hands over a fresh object per answer: when every value is a string (no header came
  // twice) it is already flat, and a copy per answer is work on listen's hot path.
  if (allStrings(headers)) return headers;
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function allStrings(headers: IncomingHttpHeaders): headers is Record<string, string> {
  for (const name in headers) if (typeof headers[name] !== "string") return false;
  return true;
}

const MAX_CONNECT_TIMEOUT_MS = 10_000;

interface Route {
  pool: Pool;
  origin: string;
  path: string;
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let PoolClass: typeof Pool | undefined;
  let unsendable: typeof unsendableHeader | undefined;
  let loading: Promise<void> | undefined;
  const pools = new Map<string, Pool>();
  /** Pools retired after a refusal (see `retire`), until they are destroyed. */
  const retiring = new Set<Pool>();
  // URL getters build a new string on every call, and a trigger run sends thousands of requests to
  // one URL object.
  const routes = new WeakMap<URL, Route>();
  let closed = false;

  // Loaded on first use: the index pulls in fetch, WebSocket and more, which commands that never send
  // a request should not pay for at start-up; the header rules come with it.
  const ready = () =>
    (loading ??= Promise.all([import("undici"), import("./header-rules.js")]).then(([undici, rules]) => {
      PoolClass = undici.Pool;
      unsendable = rules.unsendableHeader;
    }));

  const routeFor = (url: URL): Route => {
    let route = routes.get(url);
    // A destroyed pool was retired (see `retire`): the URL gets its origin's current one.
    if (route === undefined || route.pool.destroyed) {
      let pool = pools.get(url.origin);
      if (pool === undefined) {
        pool = new PoolClass!(url.origin, {
          connections: options.connections ?? 1,
          keepAliveTimeout: options.keepAliveMs ?? 10_000,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connect: { timeout: Math.min(timeoutMs, MAX_CONNECT_TIMEOUT_MS) },
        });
        pools.set(url.origin, pool);
      }
      route = { pool, origin: url.origin, path: url.pathname + url.search };
      routes.set(url, route);
    }
    return route;
  };

  const start = (url: URL, request: HttpRequest, exchange: Exchange): void => {
    if (closed) {
      exchange.onResponseError(null, Object.assign(new Error("the HTTP client is closed"), { code: "UND_ERR_DESTROYED" }));
      return;
    }
    // Never handed to the pool: undici would refuse it, and the pool would then hang (header-rules.ts).
    const invalid = unsendable!(request.headers);
    if (invalid !== null) {
      exchange.onResponseError(null, invalid);
      return;
    }
    const route = routeFor(url);
    exchange.route = route;
    exchange.startDeadline();
    route.pool.dispatch({ path: route.path, method: request.method ?? "POST", headers: request.headers, body: request.body }, exchange);
  };

  /**
   * undici refuses some requests as it takes them from the queue (a header unsendableHeader does
   * not know of, an option it does not support), and the pool then waits for a drain that never
   * comes: every later request on it would hang, and closing it would wait for them forever. So a
   * refused request retires its pool, destroyed at once: what was queued or in flight on it fails
   * (each sender reports it), and the next request to that origin gets a new pool.
   */
  const retire = (route: Route): void => {
    if (retiring.has(route.pool)) return;
    if (pools.get(route.origin) === route.pool) pools.delete(route.origin);
    retiring.add(route.pool);
    route.pool.destroy().catch(() => {}).finally(() => retiring.delete(route.pool));
  };

  const closeAll = async (how: "close" | "destroy") => {
    closed = true;
    const all = [...pools.values(), ...retiring];
    pools.clear();
    retiring.clear();
    await Promise.all(all.map((pool) => pool[how]().catch(() => {})));
  };

  return {
    request(target, request) {
      const url = typeof target === "string" ? new URL(target) : target;
      return new Promise<HttpAnswer>((resolve, reject) => {
        const exchange = new Exchange(request, resolve, reject, retire);
        if (PoolClass !== undefined) start(url, request, exchange);
        else ready().then(() => start(url, request, exchange), reject);
      });
    },
    ready,
    close: () => closeAll("close"),
    destroy: () => closeAll("destroy"),
  };
}

/**
 * One request's answer as it arrives: the status, the headers, and the body up to the caller's
 * limits. A dispatch handler rather than undici's request(): no response stream to set up per
 * request, which is most of the cost of a small exchange on loopback.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private received = 0;
  private controller: Dispatcher.DispatchController | null = null;
  /** Set when the request must stop before undici handed over its controller. */
  private abortReason: Error | null = null;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  /** Where it was dispatched, so a refusal can retire the pool. */
  route: Route | null = null;
  private readonly keepBytes: number;
  private readonly maxBytes: number;

  constructor(
    private readonly request: HttpRequest,
    private readonly resolve: (answer: HttpAnswer) => void,
    private readonly reject: (error: unknown) => void,
    private readonly onRefused: (route: Route) => void,
  ) {
    this.keepBytes = request.keepBytes ?? Infinity;
    this.maxBytes = request.maxBytes ?? Infinity;
  }

  startDeadline(): void {
    const ms = this.request.deadlineMs;
    if (ms !== undefined) this.timer = setTimeout(() => this.stop(new DeadlineExceededError(ms)), ms);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      this.stop(new ResponseTooLargeError(this.maxBytes));
      return;
    }
    if (this.kept >= this.keepBytes) return;
    const part = chunk.length > this.keepBytes - this.kept ? chunk.subarray(0, this.keepBytes - this.kept) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  onResponseEnd(): void {
    if (this.settle()) return;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
    this.resolve({ status: this.status, headers: this.headers, body, truncated: this.received > this.kept });
  }

  onResponseError(_controller: unknown, error: Error): void {
    if (this.route !== null && isRefusal(error)) this.onRefused(this.route);
    if (this.settle()) return;
    this.reject(error);
  }

  /** Fails the request now, and tells undici to drop it whenever it gets to it. */
  private stop(reason: Error): void {
    this.onResponseError(null, reason);
    if (this.controller) this.controller.abort(reason);
    else this.abortReason = reason;
  }

  /** True when the request was already settled; otherwise marks it settled. */
  private settle(): boolean {
    if (this.settled) return true;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    return false;
  }
}

/** undici's codes for a request it will not send at all (its Request constructor's errors). */
function isRefusal(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "UND_ERR_INVALID_ARG" || code === "UND_ERR_NOT_SUPPORTED";
}
