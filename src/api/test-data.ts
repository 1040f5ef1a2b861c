import { usageError } from "../errors.js";

/**
 * The `data` overrides of `endpoints test`: `--data FILE` (a JSON object) first, then each
 * `--set path=value` on top. Paths are relative to the payload's `data` (a leading `data.` is
 * accepted too, as `trigger --set data.k=v` writes it); values are typed like JSON (numbers,
 * booleans, null, objects) and anything that isn't JSON is a string. Pure: the caller reads the file.
 */
export function buildTestData(
  fileText: string | undefined,
  sets: string[],
  fileName = "--data",
): Record<string, unknown> | undefined {
  if (fileText === undefined && sets.length === 0) return undefined;
  let data: Record<string, unknown> = {};
  if (fileText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fileText);
    } catch (error) {
      throw usageError(`${fileName} is not valid JSON (${(error as Error).message})`, "give a file holding one JSON object");
    }
    if (!isObject(parsed)) throw usageError(`${fileName} must hold a JSON object`, 'e.g. {"position": 5}');
    data = parsed;
  }
  for (const assignment of sets) applySet(data, assignment);
  return data;
}

export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function applySet(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw usageError(`--set "${assignment}" is not key=value`, "e.g. --set position=5 or --set consumer.email=a@b.c");
  let path = assignment.slice(0, eq).trim();
  if (path.startsWith("data.")) path = path.slice("data.".length);
  const keys = path.split(".");
  if (keys.some((k) => k === "" || k === "__proto__" || k === "constructor" || k === "prototype")) {
    throw usageError(`--set "${assignment}" has an invalid path`, "use dotted names, e.g. --set consumer.email=a@b.c");
  }
  const value = parseSetValue(assignment.slice(eq + 1));
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!isObject(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
