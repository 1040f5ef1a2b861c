import { isDeepStrictEqual } from "node:util";
import { usageError } from "../errors.js";
import { readSource, type InputStream } from "../terminal/input.js";
import { ENVELOPE_KEYS, type WebhookPayload } from "./types.js";

const SET_EXAMPLE = "e.g. --set data.position=5, --set data.items.0.quantity=2";
// Keys that would reach Object.prototype through a dotted path.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

type Json = Record<string, unknown> | unknown[];

/**
 * Applies `--set path=value` overrides, in order, to a copy of the payload.
 * - The path is dotted (`data.items.0.quantity`); one that does not start with an envelope key
 *   (id, type, timestamp, organizationId, data) is inside `data`, so `position=5` works too.
 * - The value is JSON when it parses (5, true, null, {"a":1}, [1]), else the text itself; but a
 *   field that is already a string stays a string (`data.amount=10.00` keeps "10.00", ids keep
 *   their text), and a quoted value ('"5"') is always a string.
 */
export function applySetOverrides(payload: WebhookPayload, set: string[]): WebhookPayload {
  const result = structuredClone(payload);
  for (const assignment of set) applyOne(result, assignment);
  return result;
}

function applyOne(payload: WebhookPayload, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq < 0) throw setError(assignment, "is not path=value");
  const path = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1);
  if (path === "") throw setError(assignment, "has no field path before =");
  const keys = path.split(".");
  if (keys.some((k) => k === "")) throw setError(assignment, "has an empty part in its path");
  if (keys.some((k) => FORBIDDEN_KEYS.has(k))) throw setError(assignment, "names a field that cannot be set");
  if (!(ENVELOPE_KEYS as readonly string[]).includes(keys[0]!)) keys.unshift("data");

  if (keys.length === 1) {
    const key = keys[0] as keyof WebhookPayload;
    const value = typedValue(raw, payload[key], assignment);
    if (key === "data" && !isPlainObject(value)) {
      throw setError(assignment, "must give data a JSON object", `e.g. --set 'data={"position":5}'`);
    }
    (payload as unknown as Record<string, unknown>)[key] = value;
    return;
  }

  let node: Json = payload as unknown as Record<string, unknown>;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const where = keys.slice(0, i + 1).join(".");
    let child = getChild(node, key, where, assignment);
    if (child === undefined || child === null) {
      child = /^\d+$/.test(keys[i + 1]!) ? [] : {};
      setChild(node, key, child, where, assignment);
    } else if (typeof child !== "object") {
      throw setError(assignment, `cannot go inside ${where}: it is a ${typeof child}`);
    }
    node = child as Json;
  }
  const last = keys[keys.length - 1]!;
  const where = keys.join(".");
  setChild(node, last, typedValue(raw, getChild(node, last, where, assignment), assignment), where, assignment);
}

function getChild(node: Json, key: string, where: string, assignment: string): unknown {
  if (Array.isArray(node)) return node[arrayIndex(node, key, where, assignment)];
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

function setChild(node: Json, key: string, value: unknown, where: string, assignment: string): void {
  if (Array.isArray(node)) node[arrayIndex(node, key, where, assignment)] = value;
  else node[key] = value;
}

/** An index into an existing array, or one past its end (to append). */
function arrayIndex(array: unknown[], key: string, where: string, assignment: string): number {
  if (!/^\d+$/.test(key)) throw setError(assignment, `${parentOf(where)} is a list: use an index, e.g. ${parentOf(where)}.0`);
  const index = Number(key);
  if (index > array.length) {
    throw setError(assignment, `${where} is out of range: ${parentOf(where)} has ${array.length} item${array.length === 1 ? "" : "s"}`);
  }
  return index;
}

function parentOf(where: string): string {
  return where.slice(0, where.lastIndexOf("."));
}

function typedValue(raw: string, existing: unknown, assignment: string): unknown {
  if (typeof existing === "string") {
    if (raw.startsWith('"')) {
      const quoted = parseJson(raw);
      if (typeof quoted === "string") return quoted;
    }
    return raw;
  }
  const parsed = parseJson(raw);
  if (parsed === NOT_JSON) return raw;
  // A number the payload cannot carry as typed would be sent as something else: 1e999 as null,
  // 99999999999999999999999 as 1e+23.
  const quote = `quote it to send it as a string: --set '${assignment.slice(0, assignment.indexOf("=") + 1)}"${raw.trim()}"'`;
  if (someNumber(parsed, (n) => !Number.isFinite(n))) {
    const inside = "write the number inside in quotes to send it as a string";
    throw setError(assignment, "holds a number too large for JSON", typeof parsed === "number" ? quote : inside);
  }
  if (typeof parsed === "number" && /^\s*-?\d+\s*$/.test(raw) && !Number.isSafeInteger(parsed)) {
    throw setError(assignment, `holds a whole number with more digits than a number keeps exactly (it would be sent as ${parsed})`, quote);
  }
  // Inside an object or list: a long run of digits that came out as an inexact whole number.
  if (typeof parsed === "object" && /\d{16,}/.test(raw) && someNumber(parsed, (n) => Number.isInteger(n) && !Number.isSafeInteger(n))) {
    throw setError(assignment, "holds a whole number with more digits than a number keeps exactly", "write the number inside in quotes to send it as a string");
  }
  return parsed;
}

/** Whether `value` is, or holds at any depth, a number that `test` picks. */
function someNumber(value: unknown, test: (n: number) => boolean): boolean {
  if (typeof value === "number") return test(value);
  if (typeof value === "object" && value !== null) return Object.values(value).some((v) => someNumber(v, test));
  return false;
}

const NOT_JSON = Symbol("not JSON");

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function setError(assignment: string, problem: string, hint = SET_EXAMPLE) {
  return usageError(`--set "${assignment}" ${problem}`, hint, "invalid_set");
}

/**
 * Merges a `--data FILE` object into a copy of the payload: into the envelope when the object has
 * envelope keys (its `data` then merged into the payload's), else into `data`. Objects merge deeply;
 * arrays and everything else are replaced.
 */
export function mergeData(payload: WebhookPayload, data: Record<string, unknown>): WebhookPayload {
  const hasEnvelopeKeys = Object.keys(data).some((k) => (ENVELOPE_KEYS as readonly string[]).includes(k));
  const patch = hasEnvelopeKeys ? data : { data };
  if ("data" in patch && !isPlainObject(patch.data)) {
    throw usageError('--data: "data" must be a JSON object', 'e.g. {"data": {"position": 5}}', "invalid_data");
  }
  return deepMerge(structuredClone(payload) as unknown as Record<string, unknown>, patch) as unknown as WebhookPayload;
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    const current = target[key];
    target[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : structuredClone(value);
  }
  return target;
}

/**
 * The platform's test route builds the envelope itself and takes only `data`, so an override of
 * the envelope could not be honoured: refuse it before anything is sent.
 */
export function refuseEnvelopeOverrides(set: string[], data: Record<string, unknown> | undefined): void {
  for (const assignment of set) {
    const head = assignment.slice(0, Math.max(0, assignment.indexOf("="))).trim().split(".")[0]!;
    if (head !== "data" && (ENVELOPE_KEYS as readonly string[]).includes(head)) {
      throw usageError(
        `--set ${head}=… would change the envelope, which the platform sets`,
        "set fields inside data, e.g. --set data.position=5",
        "invalid_set",
      );
    }
  }
  const envelope = Object.keys(data ?? {}).filter((k) => k !== "data" && (ENVELOPE_KEYS as readonly string[]).includes(k));
  if (envelope.length > 0) {
    throw usageError(
      `--data may hold only data fields here, not ${envelope.join(", ")}`,
      'e.g. {"position": 5} or {"data": {"position": 5}}',
      "invalid_data",
    );
  }
}

/**
 * What changed between two versions of a payload's data, shaped for a receiver that merges it into
 * its own copy the way {@link mergeData} does (objects key by key, anything else replaced): changed
 * leaves inside objects, whole arrays when any element changed. Unchanged fields are left out, so
 * the receiver keeps its own values (ids, timestamps) for them. A removed field cannot be said.
 */
export function dataChanges(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    const old = Object.hasOwn(before, key) ? before[key] : undefined;
    if (isPlainObject(old) && isPlainObject(value)) {
      const inner = dataChanges(old, value);
      if (Object.keys(inner).length > 0) changes[key] = inner;
    } else if (!Object.hasOwn(before, key) || !isDeepStrictEqual(old, value)) {
      changes[key] = value;
    }
  }
  return changes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads `--data FILE` (`-` is stdin): a JSON object, or a usage error that says what is wrong. */
export async function readDataFile(path: string, stdin: () => InputStream): Promise<Record<string, unknown>> {
  const label = path === "-" ? "--data - (stdin)" : `--data ${path}`;
  const bytes = await readSource(path, {
    stdin,
    what: "the --data file",
    hint: "give the path of a JSON file, e.g. --data overrides.json, or - for stdin",
    code: "invalid_data",
  });
  const text = bytes.toString("utf8");
  const parsed = parseJson(text);
  if (parsed === NOT_JSON) {
    let reason = "";
    try {
      JSON.parse(text);
    } catch (error) {
      reason = ` (${(error as Error).message.replace(/\s+/g, " ")})`;
    }
    throw usageError(`${label} is not valid JSON${reason}`, 'give a file holding one JSON object, e.g. {"position": 5}', "invalid_data");
  }
  if (!isPlainObject(parsed)) {
    const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    throw usageError(`${label} must hold a JSON object, not ${kind}`, 'e.g. {"position": 5} or {"data": {"position": 5}}', "invalid_data");
  }
  return parsed;
}
