import { createHttpClient, flattenHeaders, type HttpAnswer, type HttpClient, type HttpClientFactory } from "../http/client.js";
import { describeNetworkError, type NetworkCause } from "../http/errors.js";
import type { ForwardResult } from "./types.js";

const FORWARD_TIMEOUT_MS = 30_000;
/** What the view and the log keep of a target's answer. */
const RECORDED_RESPONSE_CHARS = 4096;
/** What is passed back to the sender; a target answering megabytes to a webhook is not the point. */
const MAX_RELAYED_RESPONSE_BYTES = 1024 * 1024;

export interface ForwardOutcome {
  result: ForwardResult;
  /** The target's body (capped) to answer the sender with. */
  body: Buffer;
  contentType: string | null;
  /** Why there is no status, when there is none. */
  cause: NetworkCause | null;
}

interface ForwarderOptions {
  timeoutMs?: number;
  /** Keep-alive connections to the target. */
  connections?: number;
  /** The HTTP layer to send through. */
  http?: HttpClientFactory;
}

/**
 * Sends deliveries on to the developer's app over one keep-alive connection pool: the same raw body
 * and the headers it is given (the relay picks them, once per delivery: outgoing-headers.ts). It never
 * throws: an unreachable target or a timeout is a result with `statusCode: null` and an `error`.
 */
export class Forwarder {
  private constructor(
    readonly url: URL,
    private readonly http: HttpClient,
    private readonly timeoutMs: number,
  ) {
    this.href = url.href;
  }

  static async create(url: URL, options: ForwarderOptions = {}): Promise<Forwarder> {
    const timeoutMs = options.timeoutMs ?? FORWARD_TIMEOUT_MS;
    const http = (options.http ?? createHttpClient)({ connections: options.connections ?? 128, timeoutMs });
    await http.ready();
    return new Forwarder(url, http, timeoutMs);
  }

  /** Kept: URL's getters build a new string on every call. */
  readonly href: string;

  /**
   * Sends `headers` as they are (undici only reads them, so one object can go to every target of a
   * delivery). Not async: one promise (the request's) per forward, not three.
   */
  forward(headers: Record<string, string>, body: Buffer): Promise<ForwardOutcome> {
    const started = performance.now();
    return this.http
      .request(this.url, { headers, body, keepBytes: MAX_RELAYED_RESPONSE_BYTES })
      .then((response) => this.answered(response, started), (error: unknown) => this.failed(error, started));
  }

  private answered(response: HttpAnswer, started: number): ForwardOutcome {
    const responseHeaders = flattenHeaders(response.headers);
    return {
      result: {
        url: this.href,
        statusCode: response.status,
        error: null,
        durationMs: elapsedSince(started),
        responseHeaders,
        responseBody: response.body.toString("utf8", 0, Math.min(response.body.length, RECORDED_RESPONSE_CHARS)),
      },
      body: response.body,
      contentType: responseHeaders["content-type"] ?? null,
      cause: null,
    };
  }

  private failed(error: unknown, started: number): ForwardOutcome {
    const problem = describeNetworkError(error, { timeoutMs: this.timeoutMs });
    return {
      result: {
        url: this.href,
        statusCode: null,
        error: problem.message,
        durationMs: elapsedSince(started),
        responseHeaders: {},
        responseBody: "",
      },
      body: Buffer.alloc(0),
      contentType: null,
      cause: problem.cause,
    };
  }

  async close(): Promise<void> {
    await this.http.destroy();
  }
}

/** The status the sender gets when the target gave none: 504 on timeout, 502 otherwise. */
export function statusForError(cause: NetworkCause | null): number {
  return cause === "timeout" ? 504 : 502;
}

/** Milliseconds since `started` (performance.now()), to the microsecond. */
function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
