import { CliError, ExitCode } from "../errors.js";
import { formatDuration, type NetworkProblem } from "../http/errors.js";

interface ApiErrorOptions {
  /** The HTTP status, or null when there was no answer (network error, timeout). */
  status: number | null;
  /** The server's `error.code`, or one of ours: `network_error`, `timeout`, `bad_response`. */
  apiCode: string;
  fields?: Record<string, string>;
  hint?: string;
  cause?: unknown;
  /** A 429's Retry-After, in ms, when the server sent one (pollers wait that long). */
  retryAfterMs?: number;
}

/**
 * A failed admin API call. Always exit 1 (the operation failed); `code` in `--json` output is the
 * server's error code so scripts can branch on `not_found`, `unauthorized`, `rate_limited`…
 */
export class ApiError extends CliError {
  readonly status: number | null;
  readonly apiCode: string;
  readonly fields?: Record<string, string>;
  readonly retryAfterMs?: number;

  constructor(message: string, options: ApiErrorOptions) {
    super(message, { exitCode: ExitCode.failure, hint: options.hint, code: options.apiCode, cause: options.cause });
    this.name = "ApiError";
    this.status = options.status;
    this.apiCode = options.apiCode;
    if (options.fields) this.fields = options.fields;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

const LOGIN_HINT = "run `fanfare login`, or check FANFARE_SECRET_KEY / --api-key / --profile";

/** What the request was about, so a 404 can say which thing is missing. */
export interface RequestSubject {
  endpointId?: string;
  deliveryId?: string;
}

/** Turns an HTTP error answer into the one-line error the user sees. */
export function errorFromResponse(
  status: number,
  body: unknown,
  subject: RequestSubject = {},
  retriesMade = 0,
  retryAfterSeconds: number | null = null,
): ApiError {
  const parsed = parseErrorBody(body);
  const serverCode = parsed?.code ?? `http_${status}`;
  const serverMessage = parsed?.message ?? "";
  const fields = parsed?.fields;
  const detail = serverMessage ? `: ${serverMessage}` : "";

  if (status === 401) {
    return new ApiError(`the API rejected the key (401 ${serverCode}${detail})`, {
      status,
      apiCode: serverCode,
      hint: LOGIN_HINT,
    });
  }
  if (status === 403) {
    return new ApiError(`the key is not allowed to do this (403 ${serverCode}${detail})`, {
      status,
      apiCode: serverCode,
      hint: "use a key with webhook admin rights (`fanfare login --profile …`)",
    });
  }
  if (status === 404) {
    return new ApiError(notFoundMessage(subject, serverMessage), {
      status,
      apiCode: serverCode,
      hint: subject.deliveryId
        ? `list deliveries with \`fanfare webhooks deliveries list ${subject.endpointId ?? "<endpointId>"}\``
        : "list endpoints with `fanfare webhooks endpoints list`",
    });
  }
  if (status === 422 || status === 400) {
    const fieldText = fields && Object.keys(fields).length > 0 ? formatFields(fields) : "";
    const message = fieldText
      ? `invalid request: ${fieldText}`
      : `invalid request (${status} ${serverCode}${detail})`;
    return new ApiError(message, { status, apiCode: serverCode, fields, hint: "fix the flags named above" });
  }
  if (status === 409) {
    // The emulator (and, we assume, the API) refuses to deliver to a paused endpoint.
    const hint =
      serverCode === "endpoint_paused" && subject.endpointId
        ? `resume it with \`fanfare webhooks endpoints resume ${subject.endpointId}\``
        : undefined;
    return new ApiError(`conflict (409 ${serverCode}${detail})`, { status, apiCode: serverCode, hint });
  }
  if (status === 429) {
    const tries = retriesMade > 0 ? ` after ${retriesMade} ${retriesMade === 1 ? "retry" : "retries"}` : "";
    const wait = retryAfterSeconds !== null ? `wait ${Math.ceil(retryAfterSeconds)} s and try again` : "wait a little and try again";
    return new ApiError(`rate limited by the API${tries} (429 ${serverCode}${detail})`, {
      status,
      apiCode: serverCode === "http_429" ? "rate_limited" : serverCode,
      hint: wait,
      ...(retryAfterSeconds !== null ? { retryAfterMs: Math.round(retryAfterSeconds * 1000) } : {}),
    });
  }
  if (status >= 500) {
    const tries = retriesMade > 0 ? ` after ${retriesMade} ${retriesMade === 1 ? "retry" : "retries"}` : "";
    return new ApiError(`the API failed${tries} (${status} ${serverCode}${detail})`, {
      status,
      apiCode: serverCode,
      hint: "try again later; --verbose shows each request",
    });
  }
  return new ApiError(`the API answered ${status} ${serverCode}${detail}`, { status, apiCode: serverCode });
}

function notFoundMessage(subject: RequestSubject, serverMessage: string): string {
  // The server's own "not found" adds nothing to ours; anything else it says may help.
  const redundant = !serverMessage || /not found|no such/i.test(serverMessage);
  const server = redundant ? "" : ` (${serverMessage})`;
  if (subject.deliveryId) {
    return `no such delivery ${subject.deliveryId} on endpoint ${subject.endpointId ?? "?"}${server}`;
  }
  if (subject.endpointId) return `no such endpoint ${subject.endpointId}${server}`;
  return `not found${server}`;
}

function formatFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, problem]) => `${name}: ${problem}`)
    .join("; ");
}

function parseErrorBody(body: unknown): { code?: string; message?: string; fields?: Record<string, string> } | null {
  if (!body || typeof body !== "object") return null;
  const error = (body as { error?: unknown }).error;
  if (!error || typeof error !== "object") return null;
  const e = error as Record<string, unknown>;
  const fields: Record<string, string> = {};
  if (e.fields && typeof e.fields === "object") {
    for (const [k, v] of Object.entries(e.fields as Record<string, unknown>)) fields[k] = String(v);
  }
  return {
    code: typeof e.code === "string" && e.code ? e.code : undefined,
    message: typeof e.message === "string" ? e.message : undefined,
    fields: Object.keys(fields).length > 0 ? fields : undefined,
  };
}

/** No HTTP answer at all: DNS, refused, reset, TLS. */
export function networkError(base: string, problem: NetworkProblem, retriesMade: number): ApiError {
  const tries = retriesMade > 0 ? `, after ${retriesMade} ${retriesMade === 1 ? "retry" : "retries"}` : "";
  return new ApiError(`cannot reach ${base} (${problem.message}${tries})`, {
    status: null,
    apiCode: "network_error",
    hint: "check --api-base / FANFARE_API_BASE, or start a local API with `fanfare webhooks emulator`",
  });
}

export function timeoutError(method: string, url: string, timeoutMs: number): ApiError {
  return new ApiError(`${method} ${url} timed out after ${formatDuration(timeoutMs)}`, {
    status: null,
    apiCode: "timeout",
    hint: "the API is slow or unreachable; try again, or check --api-base",
  });
}

export function tooLargeError(method: string, url: string, limitBytes: number): ApiError {
  return new ApiError(`${method} ${url} failed: response too large (over ${Math.round(limitBytes / 1024 / 1024)} MB)`, {
    status: null,
    apiCode: "bad_response",
    hint: "check --api-base / FANFARE_API_BASE: it should be the admin API's base, ending in /api",
  });
}
