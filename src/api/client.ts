import { maskSecret } from "../config/mask.js";
import { createHttpClient, type HttpClientFactory, type HttpMethod } from "../http/client.js";
import { describeNetworkError, type NetworkProblem } from "../http/errors.js";
import {
  ApiError,
  errorFromResponse,
  networkError,
  timeoutError,
  tooLargeError,
  type RequestSubject,
} from "./errors.js";
import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, type AttemptOutcome, type RetryPolicy } from "./retry.js";
import type {
  CreateEndpointInput,
  Delivery,
  Endpoint,
  EndpointHealth,
  UpdateEndpointInput,
} from "./types.js";

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per attempt, from sending the request to the last byte of the answer. Default 30000. */
  timeoutMs?: number;
  /** Retries after the first attempt (see retry.ts for which failures qualify). Default 3. */
  maxRetries?: number;
  /** Called with one line per request (--verbose): method, URL, status, duration. Never the key. */
  log?: (line: string) => void;
  /** First backoff step in ms (doubles per retry). Default 500; tests make it small. */
  retryBaseDelayMs?: number;
  /** Longest Retry-After the client waits for; a longer one fails at once with the wait in the hint. */
  maxRetryAfterMs?: number;
  /** The HTTP layer to send through. */
  http?: HttpClientFactory;
}

export interface ApiClient {
  listEndpoints(): Promise<Endpoint[]>;
  createEndpoint(input: CreateEndpointInput): Promise<Endpoint>;
  getEndpoint(id: string): Promise<Endpoint>;
  updateEndpoint(id: string, input: UpdateEndpointInput): Promise<Endpoint>;
  deleteEndpoint(id: string): Promise<void>;
  rotateSecret(id: string): Promise<{ secret: string }>;
  sendTest(id: string, eventType: string, data?: Record<string, unknown>): Promise<Delivery>;
  health(id: string): Promise<EndpointHealth>;
  /** `since` (an ISO time): only deliveries created or updated since then, for polling. */
  listDeliveries(id: string, query?: { status?: string; limit?: number; since?: string }): Promise<Delivery[]>;
  getDelivery(id: string, deliveryId: string): Promise<Delivery>;
  redeliver(id: string, deliveryId: string): Promise<Delivery>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** More than any page of endpoints or deliveries; past it the answer is refused, not held. */
const API_RESPONSE_LIMIT = 16 * 1024 * 1024;

type RawAnswer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const apiKey = options.apiKey;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
  };
  const masked = maskSecret(apiKey);
  // Whatever a server echoes back (an error message quoting the key, say) is scrubbed before it is shown.
  const redact = (text: string) => (apiKey.length >= 4 ? text.split(apiKey).join(masked) : text);
  const log = options.log ? (line: string) => options.log!(redact(line)) : undefined;

  // undici loads on the first request only, so building a client costs nothing.
  const transport = () => (options.http ?? createHttpClient)({ connections: 8, keepAliveMs: 10_000, timeoutMs });
  let http = transport();

  async function attempt(method: string, url: string, body: string | undefined): Promise<RawAnswer | AttemptFailure> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${apiKey}`,
      accept: "application/json",
      "user-agent": "fanfare-cli",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      const res = await http.request(url, {
        method: method as HttpMethod,
        headers,
        body,
        maxBytes: API_RESPONSE_LIMIT,
        deadlineMs: timeoutMs,
      });
      return { status: res.status, headers: res.headers, text: res.body.toString("utf8") };
    } catch (error) {
      const problem = describeNetworkError(error, { timeoutMs });
      if (problem.cause === "timeout") return { failure: { kind: "timeout" }, problem };
      return { failure: { kind: "network", cause: problem.cause }, problem };
    }
  }

  async function call<T>(
    method: string,
    path: string,
    init: { body?: unknown; subject?: RequestSubject } = {},
  ): Promise<T> {
    const url = base + path;
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    for (let retriesMade = 0; ; retriesMade++) {
      const started = performance.now();
      const answer = await attempt(method, url, body);
      const elapsed = Math.round(performance.now() - started);

      let outcome: AttemptOutcome;
      if ("failure" in answer) {
        outcome = answer.failure;
        log?.(`${method} ${url} → ${answer.problem.message} ${elapsed} ms`);
      } else {
        log?.(`${method} ${url} → ${answer.status} ${elapsed} ms`);
        if (answer.status >= 200 && answer.status < 300) return parseSuccess<T>(answer, method, url);
        outcome = { kind: "response", status: answer.status, retryAfter: headerValue(answer.headers["retry-after"]) };
      }

      const decision = decideRetry(method, outcome, retriesMade, policy, Date.now(), Math.random());
      if (decision.retry) {
        log?.(`  retrying in ${decision.delayMs} ms (retry ${retriesMade + 1} of ${policy.maxRetries})`);
        await sleep(decision.delayMs);
        continue;
      }
      if ("failure" in answer) {
        if (answer.failure.kind === "timeout") throw timeoutError(method, url, timeoutMs);
        if (answer.problem.cause === "too_large") throw tooLargeError(method, url, API_RESPONSE_LIMIT);
        throw redactError(networkError(base, answer.problem, retriesMade));
      }
      const retryAfter = parseRetryAfter(headerValue(answer.headers["retry-after"]), Date.now());
      throw redactError(
        errorFromResponse(
          answer.status,
          tryParseJson(answer.text),
          init.subject,
          retriesMade,
          retryAfter === null ? null : retryAfter / 1000,
        ),
      );
    }
  }

  function parseSuccess<T>(answer: RawAnswer, method: string, url: string): T {
    if (answer.status === 204 || answer.text.trim() === "") return undefined as T;
    const parsed = tryParseJson(answer.text);
    if (parsed === NOT_JSON) {
      throw new ApiError(`${method} ${url} answered ${answer.status} with something that is not JSON`, {
        status: answer.status,
        apiCode: "bad_response",
        hint: "check --api-base / FANFARE_API_BASE: it should be the admin API's base, ending in /api",
      });
    }
    return parsed as T;
  }

  function redactError(error: ApiError): ApiError {
    const message = redact(error.message);
    if (message === error.message) return error;
    return new ApiError(message, {
      status: error.status,
      apiCode: error.apiCode,
      fields: error.fields,
      hint: error.hint,
      retryAfterMs: error.retryAfterMs,
    });
  }

  const endpointPath = (id: string) => `/webhooks/${encodeURIComponent(id)}`;
  const deliveryPath = (id: string, deliveryId: string) =>
    `${endpointPath(id)}/deliveries/${encodeURIComponent(deliveryId)}`;

  return {
    async listEndpoints() {
      const page = await call<{ data: Endpoint[] }>("GET", "/webhooks");
      return dataOf(page, "GET /webhooks");
    },
    createEndpoint(input) {
      return call<Endpoint>("POST", "/webhooks", { body: input });
    },
    getEndpoint(id) {
      return call<Endpoint>("GET", endpointPath(id), { subject: { endpointId: id } });
    },
    updateEndpoint(id, input) {
      return call<Endpoint>("PATCH", endpointPath(id), { body: input, subject: { endpointId: id } });
    },
    async deleteEndpoint(id) {
      await call<void>("DELETE", endpointPath(id), { subject: { endpointId: id } });
    },
    rotateSecret(id) {
      return call<{ secret: string }>("POST", `${endpointPath(id)}/rotate-secret`, { subject: { endpointId: id } });
    },
    sendTest(id, eventType, data) {
      const body = data === undefined ? { eventType } : { eventType, data };
      return call<Delivery>("POST", `${endpointPath(id)}/test`, { body, subject: { endpointId: id } });
    },
    health(id) {
      return call<EndpointHealth>("GET", `${endpointPath(id)}/health`, { subject: { endpointId: id } });
    },
    async listDeliveries(id, query = {}) {
      const params = new URLSearchParams();
      if (query.status) params.set("status", query.status);
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      if (query.since !== undefined) params.set("since", query.since);
      const qs = params.size > 0 ? `?${params}` : "";
      const page = await call<{ data: Delivery[] }>("GET", `${endpointPath(id)}/deliveries${qs}`, {
        subject: { endpointId: id },
      });
      return dataOf(page, "GET /webhooks/:id/deliveries");
    },
    getDelivery(id, deliveryId) {
      return call<Delivery>("GET", deliveryPath(id, deliveryId), { subject: { endpointId: id, deliveryId } });
    },
    redeliver(id, deliveryId) {
      return call<Delivery>("POST", `${deliveryPath(id, deliveryId)}/redeliver`, {
        subject: { endpointId: id, deliveryId },
      });
    },
    async close() {
      // A client may still be used after close(): it then opens new connections.
      const closing = http;
      http = transport();
      await closing.close();
    },
  };
}

interface AttemptFailure {
  failure: Extract<AttemptOutcome, { kind: "network" } | { kind: "timeout" }>;
  problem: NetworkProblem;
}

const NOT_JSON = Symbol("not json");

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function dataOf<T>(page: { data: T[] } | undefined, what: string): T[] {
  if (!page || !Array.isArray(page.data)) {
    throw new ApiError(`${what} answered without a data list`, { status: 200, apiCode: "bad_response" });
  }
  return page.data;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
