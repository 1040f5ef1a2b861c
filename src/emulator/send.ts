import { createHttpClient, flattenHeaders, type HttpClient } from "../http/client.js";
import { describeNetworkError } from "../http/errors.js";

/** What one HTTP attempt of a delivery came back with. */
export interface AttemptResult {
  statusCode: number | null;
  /** "timed out after 30 s", "connection refused", … when there was no HTTP answer. */
  error: string | null;
  durationMs: number;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  /** The answer's body was longer than RESPONSE_BODY_LIMIT: responseBody is its start. */
  responseTruncated?: boolean;
}

/** Response bodies are kept for inspection, not replay: the first few KB say what went wrong. */
export const RESPONSE_BODY_LIMIT = 4096;

/**
 * Posts delivery bodies over keep-alive connections shared by every endpoint, so retries and test
 * events to the same receiver reuse them. Each attempt has the whole delivery timeout to connect,
 * send and read the answer.
 */
export class DeliverySender {
  private readonly http: HttpClient;
  private closed = false;

  constructor(private readonly timeoutMs: number) {
    this.http = createHttpClient({ connections: 16, timeoutMs });
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    // After close() nothing may open sockets that nothing would destroy.
    if (this.closed) return { statusCode: null, error: "cancelled", durationMs: 0, responseHeaders: null, responseBody: null };
    // The clock starts once the library is loaded: a cold start is the emulator's time, not the receiver's.
    await this.http.ready();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const answer = await this.http.request(url, {
        headers,
        body,
        keepBytes: RESPONSE_BODY_LIMIT,
        deadlineMs: this.timeoutMs,
      });
      return {
        statusCode: answer.status,
        error: null,
        durationMs: elapsed(),
        responseHeaders: flattenHeaders(answer.headers),
        responseBody: answer.body.toString("utf8"),
        responseTruncated: answer.truncated,
      };
    } catch (error) {
      const reason = this.closed ? "cancelled" : describeNetworkError(error, { timeoutMs: this.timeoutMs }).message;
      return { statusCode: null, error: reason, durationMs: elapsed(), responseHeaders: null, responseBody: null };
    }
  }

  /** Fails attempts in flight and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.http.destroy();
  }
}
