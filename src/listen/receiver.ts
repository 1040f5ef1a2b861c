import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const RECEIVER_PATH = "/webhooks";
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Bytes of request bodies held at once, across every request in flight, before senders are told to retry. */
const DEFAULT_MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;
/** A body that sends nothing for this long is dropped (a stalled or hostile sender holds a socket). */
const BODY_IDLE_MS = 10_000;
/**
 * A connection that has not sent a request's headers within this is dropped: the same bound as a
 * stalled body. Node's default (60 s) let a few hundred silent connections hold every slot
 * (MAX_CONNECTIONS) for a minute, locking real deliveries out.
 */
const HEADERS_MS = 10_000;
/** The most a whole request (headers and body) may take to arrive. */
const REQUEST_MS = 60_000;
/**
 * Open connections at once. Below the usual limit of 1,024 open files, with room for the forwarder's
 * own sockets, log files and the tunnel: past it, new connections wait in the kernel's backlog.
 */
export const MAX_CONNECTIONS = 512;

/** A POST to the receiver, body complete and kept byte for byte. */
export interface IncomingDelivery {
  method: string;
  path: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** What the receiver answers the sender with. */
export interface ReceiverReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

interface ReceiverOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  /** The budget of body bytes held across requests in flight; past it, 503 with Retry-After. */
  maxInflightBytes?: number;
  /** How long a body may send nothing before it is dropped. */
  bodyIdleMs?: number;
  /** How long a connection may take to send a request's headers (from its start) before it is dropped. */
  headersMs?: number;
  /** How long a whole request may take to arrive. */
  requestMs?: number;
  onDelivery(delivery: IncomingDelivery): Promise<ReceiverReply>;
}

export interface Receiver {
  /** e.g. http://127.0.0.1:43123/webhooks */
  url: string;
  port: number;
  /**
   * A graceful stop's first half: takes no new connections or requests, and resolves once every
   * request already arriving or being forwarded has been answered (true), or after `ms` (false).
   */
  drain(ms: number): Promise<boolean>;
  /** Closes every connection at once. */
  close(): Promise<void>;
}

/**
 * The loopback HTTP server deliveries arrive at. It accepts POST /webhooks only, refuses bodies over
 * the limit without buffering them, and hands each complete delivery to `onDelivery`, answering the
 * sender with whatever that returns (the target's answer), so the platform's retry rules apply.
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const host = options.host ?? "127.0.0.1";
  const limits: Limits = {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    budget: new ByteBudget(options.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES),
    bodyIdleMs: options.bodyIdleMs ?? BODY_IDLE_MS,
  };
  const requestMs = options.requestMs ?? REQUEST_MS;
  const headersMs = Math.min(options.headersMs ?? HEADERS_MS, requestMs);
  const traffic: Traffic = { active: 0, closing: false, onIdle: null };
  // Node checks request deadlines on this interval (30 s by default): often enough that a trickling
  // or silent sender is cut near its deadline, not up to half a minute past it.
  const server = createServer({ connectionsCheckingInterval: Math.min(1_000, headersMs) }, (req, res) =>
    handle(req, res, limits, options.onDelivery, traffic),
  );
  // Counts only until the request has arrived: a slow target, answered later, is not the sender's fault.
  server.requestTimeout = requestMs;
  // Counted from the connection (or, kept alive, from the next request's first byte): a connection
  // idle between requests is governed by keepAliveTimeout instead, so keep-alive senders are not cut.
  server.headersTimeout = headersMs;
  server.keepAliveTimeout = 65_000;
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}${RECEIVER_PATH}`,
    port,
    drain: (ms) => drainServer(server, traffic, ms),
    close: () => closeServer(server),
  };
}

/** Requests between their first byte and their answer, for a graceful stop to wait on. */
interface Traffic {
  active: number;
  /** Set by drain: answers say `connection: close`, so keep-alive senders go elsewhere. */
  closing: boolean;
  onIdle: (() => void) | null;
}

function drainServer(server: Server, traffic: Traffic, ms: number): Promise<boolean> {
  traffic.closing = true;
  if (server.listening) server.close();
  server.closeIdleConnections();
  if (traffic.active === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      traffic.onIdle = null;
      resolve(false);
    }, ms);
    traffic.onIdle = () => {
      clearTimeout(timer);
      traffic.onIdle = null;
      resolve(true);
    };
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.listening) server.close(() => resolve());
    else resolve();
    server.closeAllConnections();
  });
}

function reply(res: ServerResponse, statusCode: number, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: message }) + "\n";
  res.writeHead(statusCode, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...extra });
  res.end(body);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  return q === -1 ? raw : raw.slice(0, q);
}

interface Limits {
  maxBodyBytes: number;
  budget: ByteBudget;
  bodyIdleMs: number;
}

/** Body bytes held across every request in flight, against a budget. */
class ByteBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  /** Takes `bytes` if they fit; false when they would go over the budget. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  limits: Limits,
  onDelivery: ReceiverOptions["onDelivery"],
  traffic: Traffic,
): void {
  const { maxBodyBytes, budget } = limits;
  if (traffic.closing) res.shouldKeepAlive = false;
  const path = pathOf(req.url);
  if (path !== RECEIVER_PATH && path !== RECEIVER_PATH + "/") {
    req.resume();
    return reply(res, 404, `nothing here: deliveries go to POST ${RECEIVER_PATH}`);
  }
  if (req.method !== "POST") {
    req.resume();
    return reply(res, 405, `${req.method} not allowed: deliveries are POSTed`, { allow: "POST" });
  }
  const tooLarge = () => {
    // Closing the connection is the only way to stop the sender uploading the rest.
    reply(res, 413, `body over ${maxBodyBytes} bytes`, { connection: "close" });
    req.unpipe();
    req.pause();
    res.once("finish", () => req.socket.destroy());
  };
  // Past the memory budget the sender is told to come back, which a webhook sender does: the body
  // is not read, and the connection closes so it stops uploading.
  const busy = () => {
    reply(res, 503, "too many deliveries in flight: retry shortly", { connection: "close", "retry-after": "1" });
    req.unpipe();
    req.pause();
    res.once("finish", () => req.socket.destroy());
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge();

  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  // What this request holds of the budget: its declared length, taken before a byte is read (so a
  // flood is refused without being uploaded), and more only if the body runs past it. Given back
  // once, when its answer is done or the connection goes.
  let reserved = 0;
  const reserve = (bytes: number): boolean => {
    if (!budget.take(bytes)) return false;
    reserved += bytes;
    return true;
  };
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    budget.give(reserved);
    chunks.length = 0;
  };
  if (Number.isFinite(declared) && declared > 0 && !reserve(declared)) {
    res.once("close", release);
    return busy();
  }
  // A body that stalls is dropped; once it has arrived, the wait for the target is not idleness.
  // A timer of its own rather than the socket's timeout, which keep-alive reuses across requests.
  const idle = setTimeout(() => req.socket.destroy(), limits.bodyIdleMs);
  // From here the request counts as in flight, until its answer is sent or its connection goes.
  traffic.active++;
  res.once("close", () => {
    clearTimeout(idle);
    release();
    if (--traffic.active === 0) traffic.onIdle?.();
  });
  req.on("data", (chunk: Buffer) => {
    idle.refresh();
    if (refused) return;
    if (size + chunk.length > maxBodyBytes) {
      refused = true;
      release();
      tooLarge();
      return;
    }
    if (size + chunk.length > reserved && !reserve(size + chunk.length - reserved)) {
      refused = true;
      release();
      busy();
      return;
    }
    size += chunk.length;
    chunks.push(chunk);
  });
  req.on("end", () => {
    clearTimeout(idle);
    if (refused) return;
    const body = ownedCopy(chunks, size);
    const delivery: IncomingDelivery = { method: req.method!, path: req.url ?? path, headers: flatHeaders(req), body };
    onDelivery(delivery).then(
      (answer) => {
        if (res.destroyed) return;
        // Stopping: this answer is the connection's last.
        if (traffic.closing) res.shouldKeepAlive = false;
        const payload = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
        res.writeHead(answer.statusCode, { ...answer.headers, "content-length": payload.length });
        res.end(payload);
      },
      (error: unknown) => {
        if (!res.destroyed) reply(res, 500, `fanfare listen failed: ${(error as Error)?.message ?? error}`);
      },
    );
  });
  req.on("error", () => {});
}

/**
 * The body in memory of its own, exactly its size. Always a copy: a chunk can be a slice of a much
 * larger socket read buffer. And not from Buffer's shared 8 KB pool (where Buffer.concat puts small
 * results): the log keeps bodies for a long time, and a kept 700-byte slice pins its whole slab,
 * shared with short-lived buffers; measured, ~1.7 KB of external memory per logged delivery instead
 * of ~0.7 KB, and several MB more of dead slabs waiting for each full GC.
 */
function ownedCopy(chunks: Buffer[], size: number): Buffer {
  const body = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(body, at);
  return body;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const raw = req.rawHeaders;
  // Node has built req.headers already (it reads Host and Expect from it). When no name came twice
  // (then Node would join some and drop others, where this joins all), it is this very object:
  // every name lower-cased, every value a string. Nothing else holds or changes it.
  const parsed = req.headers;
  let names = 0;
  for (const name in parsed) {
    if (typeof parsed[name] !== "string") {
      names = -1;
      break;
    }
    names++;
  }
  if (names * 2 === raw.length) return parsed as Record<string, string>;
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
