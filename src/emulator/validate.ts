import type { CreateEndpointInput, UpdateEndpointInput } from "../api/types.js";
import { findEventType } from "../events/catalog.js";
import { isSignatureScheme, SECRET_PREFIX, SIGNATURE_SCHEMES, standardSecretKey } from "../signing/options.js";

/**
 * Request bodies checked the way the admin API does: a value of the wrong JSON type is a 400 (the
 * caller's code is wrong), a well-typed value that is not acceptable is a 422 (the data is wrong).
 * Either way `fields` names every offending field, so a client can show them all at once. Pure.
 */
export type Checked<T> =
  | { ok: true; value: T }
  | { ok: false; status: 400 | 422; code: string; message: string; fields: Record<string, string> };

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const MAX_DESCRIPTION = 500;
const MIN_SECRET_BODY = 16;

const CREATE_FIELDS = new Set(["url", "events", "description", "enabled", "secret", "scheme"]);
const UPDATE_FIELDS = new Set(["url", "events", "description", "enabled", "scheme"]);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The whole 127.0.0.0/8 block is loopback, as are localhost and ::1. */
function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Longest endpoint URL accepted: what browsers and servers commonly handle, far past any real one. */
const MAX_URL_LENGTH = 2048;

/** Why `url` cannot receive deliveries, or undefined when it can. HTTPS only, plain http to loopback. */
function urlProblem(url: string): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid URL";
  }
  if (parsed.protocol === "https:") return undefined;
  if (parsed.protocol === "http:") {
    return isLoopback(parsed.hostname) ? undefined : "must use https (plain http only to 127.0.0.1, localhost or [::1])";
  }
  return `must be an https URL, not ${parsed.protocol.replace(/:$/, "")}`;
}

function typeProblems(
  body: Record<string, unknown>,
  allowed: Set<string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) fields[key] = extra[key] ?? "is not a known field";
  }
  if ("url" in body && typeof body.url !== "string") fields.url = "must be a string";
  if ("events" in body && !(Array.isArray(body.events) && body.events.every((e) => typeof e === "string"))) {
    fields.events = "must be an array of event names (strings)";
  }
  if ("description" in body && body.description !== null && typeof body.description !== "string") {
    fields.description = "must be a string or null";
  }
  if ("enabled" in body && typeof body.enabled !== "boolean") fields.enabled = "must be true or false";
  if ("secret" in body && allowed.has("secret") && typeof body.secret !== "string") fields.secret = "must be a string";
  if ("scheme" in body && typeof body.scheme !== "string") fields.scheme = "must be a string";
  return fields;
}

function eventsProblem(events: string[]): string | undefined {
  if (events.length === 0) return "must list at least one event";
  const unknown = [...new Set(events.filter((name) => !findEventType(name)))];
  if (unknown.length > 0) {
    return `unknown event${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")} (see fanfare webhooks events)`;
  }
  return undefined;
}

function invalidType(fields: Record<string, string>): Checked<never> {
  return { ok: false, status: 400, code: "invalid_request", message: describe("invalid request body", fields), fields };
}

function invalidValue(fields: Record<string, string>): Checked<never> {
  return { ok: false, status: 422, code: "validation_failed", message: describe("validation failed", fields), fields };
}

function describe(what: string, fields: Record<string, string>): string {
  return `${what}: ` + Object.entries(fields).map(([k, v]) => `${k} ${v}`).join("; ");
}

/** Why a secret cannot sign in the standard scheme, or undefined when it can. */
export function standardSecretProblem(secret: string): string | undefined {
  return standardSecretKey(secret) === undefined
    ? `must be ${SECRET_PREFIX} followed by base64 for the standard scheme`
    : undefined;
}

function valueProblems(body: {
  url?: string;
  events?: string[];
  description?: string | null;
  scheme?: string;
}): Record<string, string> {
  const fields: Record<string, string> = {};
  if (body.scheme !== undefined && !isSignatureScheme(body.scheme)) {
    fields.scheme = `must be one of ${SIGNATURE_SCHEMES.join(", ")}`;
  }
  if (body.url !== undefined) {
    const problem = urlProblem(body.url);
    if (problem) fields.url = problem;
  }
  if (body.events !== undefined) {
    const problem = eventsProblem(body.events);
    if (problem) fields.events = problem;
  }
  if (typeof body.description === "string" && body.description.length > MAX_DESCRIPTION) {
    fields.description = `must be at most ${MAX_DESCRIPTION} characters`;
  }
  return fields;
}

interface CreateEndpointValue extends Omit<CreateEndpointInput, "description"> {
  description?: string | null;
}

export function checkCreateEndpoint(body: unknown): Checked<CreateEndpointValue> {
  if (!isPlainObject(body)) return invalidType({ body: "must be a JSON object" });
  const typeFields = typeProblems(body, CREATE_FIELDS);
  if (Object.keys(typeFields).length > 0) return invalidType(typeFields);
  const input = body as unknown as CreateEndpointValue;
  const fields: Record<string, string> = {};
  if (input.url === undefined) fields.url = "is required";
  if (input.events === undefined) fields.events = "is required";
  Object.assign(fields, valueProblems(input));
  if (input.secret !== undefined) {
    if (!input.secret.startsWith(SECRET_PREFIX)) fields.secret = `must start with ${SECRET_PREFIX}`;
    else if (input.secret.length < SECRET_PREFIX.length + MIN_SECRET_BODY || /\s/.test(input.secret)) {
      fields.secret = `must be ${SECRET_PREFIX} followed by at least ${MIN_SECRET_BODY} characters, no spaces`;
    } else if (input.scheme === "standard") {
      const problem = standardSecretProblem(input.secret);
      if (problem) fields.secret = problem;
    }
  }
  if (Object.keys(fields).length > 0) return invalidValue(fields);
  return { ok: true, value: input };
}

interface UpdateEndpointValue extends Omit<UpdateEndpointInput, "description"> {
  description?: string | null;
}

export function checkUpdateEndpoint(body: unknown): Checked<UpdateEndpointValue> {
  if (!isPlainObject(body)) return invalidType({ body: "must be a JSON object" });
  const typeFields = typeProblems(body, UPDATE_FIELDS, {
    secret: "cannot be changed here (POST /webhooks/:id/rotate-secret)",
  });
  if (Object.keys(typeFields).length > 0) return invalidType(typeFields);
  const input = body as UpdateEndpointValue;
  const fields = valueProblems(input);
  if (Object.keys(fields).length > 0) return invalidValue(fields);
  return { ok: true, value: input };
}

interface TestEventValue {
  eventType: string;
  data?: Record<string, unknown>;
}

export function checkTestEvent(body: unknown): Checked<TestEventValue> {
  if (!isPlainObject(body)) return invalidType({ body: "must be a JSON object" });
  const typeFields: Record<string, string> = {};
  for (const key of Object.keys(body)) {
    if (key !== "eventType" && key !== "data") typeFields[key] = "is not a known field";
  }
  if ("eventType" in body && typeof body.eventType !== "string") typeFields.eventType = "must be a string";
  if ("data" in body && body.data !== undefined && !isPlainObject(body.data)) typeFields.data = "must be a JSON object";
  if (Object.keys(typeFields).length > 0) return invalidType(typeFields);
  const eventType = body.eventType as string | undefined;
  if (eventType === undefined) return invalidValue({ eventType: "is required" });
  if (!findEventType(eventType)) {
    return invalidValue({ eventType: `unknown event: ${eventType} (see fanfare webhooks events)` });
  }
  const value: TestEventValue = { eventType };
  if (isPlainObject(body.data)) value.data = body.data;
  return { ok: true, value };
}
