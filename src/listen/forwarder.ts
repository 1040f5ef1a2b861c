import type { Pool } from "undici";
import type { ForwardResult } from "./types.js";

export const FORWARD_TIMEOUT_MS = 30_000;
/** What the view and the log keep of a target's answer. */
export const RECORDED_RESPONSE_CHARS = 4096;
/** What is passed back to the sender; a target answering megabytes to a webhook is not the point. */
const MAX_RELAYED_RESPONSE_BYTES = 1024 * 1024;

/** Headers of an incoming delivery that travel on to the target. */
function forwardedHeader(name: string): boolean {
  return name.startsWith("x-fanfare-") || name === "content-type" || name === "user-agent";
}

export interface ForwardOutcome {
  result: ForwardResult;
  /** The target's body (capped) to answer the sender with. */
  body: Buffer;
  contentType: string | null;
}

export interface ForwarderOptions {
  /** --headers, added to (and overriding) what is forwarded. */
  extraHeaders?: Record<string, string>;
  timeoutMs?: number;
  /** Keep-alive connections to the target. */
  connections?: number;
}

/**
 * Sends deliveries on to the developer's app over one keep-alive connection pool: the same raw body,
 * the X-Fanfare-* headers, content-type and user-agent, plus --headers. It never throws: an
 * unreachable target or a timeout is a result with `statusCode: null` and an `error`.
 */
export class Forwarder {
  private constructor(
    readonly url: URL,
    private readonly pool: Pool,
    private readonly extraHeaders: Record<string, string>,
    private readonly timeoutMs: number,
  ) {}

  static async create(url: URL, options: ForwarderOptions = {}): Promise<Forwarder> {
    const { Pool } = await import("undici");
    const timeoutMs = options.timeoutMs ?? FORWARD_TIMEOUT_MS;
    const pool = new Pool(url.origin, {
      connections: options.connections ?? 128,
      keepAliveTimeout: 10_000,
      connect: { timeout: Math.min(timeoutMs, 10_000) },
    });
    return new Forwarder(url, pool, options.extraHeaders ?? {}, timeoutMs);
  }

  get href(): string {
    return this.url.href;
  }

  async forward(incomingHeaders: Record<string, string>, body: Buffer): Promise<ForwardOutcome> {
    const headers: Record<string, string> = {};
    for (const name in incomingHeaders) if (forwardedHeader(name)) headers[name] = incomingHeaders[name]!;
    Object.assign(headers, this.extraHeaders);
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
    try {
      const response = await this.pool.request({
        method: "POST",
        path: this.url.pathname + this.url.search,
        headers,
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (size < MAX_RELAYED_RESPONSE_BYTES) chunks.push(chunk);
        size += chunk.length;
      }
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const responseBody = raw.subarray(0, MAX_RELAYED_RESPONSE_BYTES);
      const responseHeaders = flatten(response.headers);
      return {
        result: {
          url: this.url.href,
          statusCode: response.statusCode,
          error: null,
          durationMs: elapsed(),
          responseHeaders,
          responseBody: responseBody.toString("utf8", 0, Math.min(responseBody.length, RECORDED_RESPONSE_CHARS)),
        },
        body: responseBody,
        contentType: responseHeaders["content-type"] ?? null,
      };
    } catch (error) {
      return {
        result: {
          url: this.url.href,
          statusCode: null,
          error: describeError(error),
          durationMs: elapsed(),
          responseHeaders: {},
          responseBody: "",
        },
        body: Buffer.alloc(0),
        contentType: null,
      };
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => {});
  }
}

/** The status the sender gets when the target gave none: 504 on timeout, 502 otherwise. */
export function statusForError(error: string | null): number {
  return error === "timeout" ? 504 : 502;
}

export function describeError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  switch (code) {
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return "timeout";
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection closed by the target";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    default:
      return err?.message ? String(err.message) : String(error);
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
