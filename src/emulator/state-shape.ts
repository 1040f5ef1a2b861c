import { DELIVERY_STATUSES } from "../api/types.js";
import { isPlainObject } from "./validate.js";
import { isSignatureScheme, SIGNATURE_SCHEMES } from "../signing/options.js";

/**
 * Why a loaded state cannot be used, as the path of the first bad value and what is wrong with it
 * (`deliveries.we_a[0] is not an object`), or undefined when every endpoint and delivery has the
 * fields the handlers and the engine read. Checked once at start, so a damaged or hand-edited file
 * is refused by name rather than answered with 500s, or half-served, later.
 */
export function stateProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "the state is not an object";
  if (value.version !== 1) return "version is not 1";
  if (!Array.isArray(value.endpoints)) return "endpoints is not a list";
  const ids = new Set<string>();
  for (const [i, endpoint] of value.endpoints.entries()) {
    const problem = endpointProblem(endpoint);
    if (problem) return `endpoints[${i}] ${problem}`;
    const id = (endpoint as { id: string }).id;
    if (ids.has(id)) return `endpoints[${i}] repeats the id ${JSON.stringify(id)}`;
    ids.add(id);
  }
  if (!isPlainObject(value.deliveries)) return "deliveries is not an object";
  for (const [endpointId, records] of Object.entries(value.deliveries)) {
    if (!Array.isArray(records)) return `deliveries.${endpointId} is not a list`;
    for (const [i, record] of records.entries()) {
      const problem = recordProblem(record);
      if (problem) return `deliveries.${endpointId}[${i}] ${problem}`;
    }
  }
  if (value.generatedApiKey !== undefined && typeof value.generatedApiKey !== "string") return "generatedApiKey is not a string";
  return undefined;
}

/**
 * Why one record of the journal or the snapshot (changes.ts) cannot be applied, or undefined when
 * it can: the same checks as a whole state, so either format is refused by the same rules.
 */
export function changeProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "not an object";
  const { op, kind } = value;
  if (op === "put" && kind === "endpoint") return prefixed("endpoint", endpointProblem(value.value));
  if (op === "put" && kind === "delivery") return prefixed("delivery", recordProblem(value.value));
  if (op === "delete" && kind === "endpoint") return typeof value.id === "string" ? undefined : "endpoint deletion: has no id string";
  if (op === "put" && kind === "apiKey") return typeof value.value === "string" && value.value !== "" ? undefined : "API key record: has no key string";
  return `not a known change (op ${JSON.stringify(op)}, kind ${JSON.stringify(kind)})`;
}

function prefixed(what: string, problem: string | undefined): string | undefined {
  return problem && `${what} record: ${problem}`;
}

function endpointProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "is not an object";
  for (const key of ["id", "url", "secret", "createdAt", "updatedAt"] as const) {
    if (typeof value[key] !== "string") return `has no ${key} string`;
  }
  if (!isStringList(value.events)) return "has no events list of strings";
  if (typeof value.enabled !== "boolean") return "has no enabled boolean";
  if (value.description !== null && value.description !== undefined && typeof value.description !== "string") {
    return "has a description that is not a string";
  }
  // Absent in state written before schemes existed (it then means v1).
  if (value.scheme !== undefined && !(typeof value.scheme === "string" && isSignatureScheme(value.scheme))) {
    return `has an unknown scheme (one of ${SIGNATURE_SCHEMES.join(", ")})`;
  }
  return undefined;
}

function recordProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "is not an object";
  if (typeof value.runStart !== "number") return "has no runStart number";
  const delivery = value.delivery;
  if (!isPlainObject(delivery)) return "has no delivery object";
  for (const key of ["id", "endpointId", "eventType", "createdAt", "updatedAt"] as const) {
    if (typeof delivery[key] !== "string") return `delivery has no ${key} string`;
  }
  if (!(DELIVERY_STATUSES as readonly unknown[]).includes(delivery.status)) return "delivery has an unknown status";
  if (typeof delivery.attempt !== "number") return "delivery has no attempt number";
  if (delivery.nextAttemptAt !== null && typeof delivery.nextAttemptAt !== "string") return "delivery has a bad nextAttemptAt";
  const request = delivery.request;
  if (!isPlainObject(request) || typeof request.url !== "string" || typeof request.body !== "string" || !isPlainObject(request.headers)) {
    return "delivery has no request with url, headers and body";
  }
  if (!Array.isArray(delivery.attempts) || !delivery.attempts.every(isPlainObject)) return "delivery has no attempts list";
  if (delivery.response !== null && !isPlainObject(delivery.response)) return "delivery has a bad response";
  return undefined;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
