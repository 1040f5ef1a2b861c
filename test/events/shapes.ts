/** JSON's own type names, so `null` and arrays are told apart from objects. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Every field of a JSON value as `path: type`, at every depth; array elements share the path
 * `items[]`, so a sample with one element and a reference with three compare equal when alike.
 */
export function shapeOf(value: unknown, path = "$"): string[] {
  const lines = new Set<string>([`${path}: ${jsonType(value)}`]);
  if (Array.isArray(value)) {
    for (const element of value) for (const line of shapeOf(element, `${path}[]`)) lines.add(line);
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) for (const line of shapeOf(child, `${path}.${key}`)) lines.add(line);
  }
  return [...lines].sort();
}

/** Every leaf of a JSON value with its path (`data.items.0.quantity`), for value-level checks. */
export function leaves(value: unknown, path = ""): Array<[path: string, value: unknown]> {
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key));
  }
  return [[path, value]];
}

export function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}
