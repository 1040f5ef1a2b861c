import type { Agent } from "undici";

/** What one HTTP attempt of a delivery came back with. */
export interface AttemptResult {
  statusCode: number | null;
  /** "timeout", "connection refused", … when there was no HTTP answer. */
  error: string | null;
  durationMs: number;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

/** Response bodies are kept for inspection, not replay: the first few KB say what went wrong. */
export const RESPONSE_BODY_LIMIT = 4096;

/**
 * Posts delivery bodies over one keep-alive undici Agent, shared by every endpoint, so retries and
 * test events to the same receiver reuse connections. undici is loaded on the first delivery only.
 */
export class DeliverySender {
  private agent: Promise<Agent> | undefined;
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  constructor(private readonly timeoutMs: number) {}

  private dispatcher(): Promise<Agent> {
    this.agent ??= import("undici").then(
      ({ Agent }) => new Agent({ keepAliveTimeout: 10_000, connections: 16, connect: { timeout: this.timeoutMs } }),
    );
    return this.agent;
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    // After close() no new Agent may be made: it would hold sockets open that nothing destroys.
    if (this.closed) return { statusCode: null, error: "cancelled", durationMs: 0, responseHeaders: null, responseBody: null };
    const started = performance.now();
    const controller = new AbortController();
    this.controllers.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const dispatcher = await this.dispatcher();
      const { request } = await import("undici");
      const res = await request(url, {
        method: "POST",
        headers,
        body,
        dispatcher,
        signal: controller.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        chunks.push(buf);
        size += buf.length;
        // Leaving the loop destroys the body: a receiver streaming megabytes is not read to the end.
        if (size >= RESPONSE_BODY_LIMIT) break;
      }
      const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString("utf8");
      return {
        statusCode: res.statusCode,
        error: null,
        durationMs: elapsed(),
        responseHeaders: flattenHeaders(res.headers),
        responseBody: text,
      };
    } catch (error) {
      const reason = timedOut ? "timeout" : this.closed ? "cancelled" : describeNetworkError(error);
      return { statusCode: null, error: reason, durationMs: elapsed(), responseHeaders: null, responseBody: null };
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }

  /** Aborts attempts in flight and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.controllers) controller.abort();
    if (this.agent) {
      const agent = await this.agent;
      await agent.destroy().catch(() => {});
    }
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  UND_ERR_SOCKET: "connection reset",
};

/** A short, stable reason for an attempt that got no HTTP answer. */
export function describeNetworkError(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const e = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof e.code === "string" && NETWORK_ERRORS[e.code]) return NETWORK_ERRORS[e.code]!;
    // Happy-eyeballs connects fail with an AggregateError of one error per address.
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      const inner = describeNetworkError(e.errors[0]);
      if (inner) return inner;
    }
    current = e.cause;
  }
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === "string") return e.code;
  return typeof e?.message === "string" && e.message ? e.message : String(error);
}
