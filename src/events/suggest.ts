/**
 * "Did you mean …?" for event names. Separators are compared loosely (`queue.consumer.admited`,
 * `queue.admission.completed` and `Queue.Consumer.Admitted` all find their event), typos by edit
 * distance with transpositions, and a bare prefix (`draw`, `auction.bid`) by the names it starts.
 */
export function closestNames(input: string, names: readonly string[], limit = 3): string[] {
  const needle = normalize(input);
  if (needle === "") return [];

  const prefixed = names.filter((name) => {
    const n = normalize(name);
    return n.startsWith(needle) && (needle.endsWith(".") || n.length === needle.length || n[needle.length] === ".");
  });
  if (prefixed.length > 0) return prefixed.slice(0, limit);

  // A typo budget that grows with the length typed: one edit for short names, about one in four after.
  const budget = Math.max(2, Math.floor(needle.length / 4));
  const scored = names
    .map((name, order) => ({ name, order, distance: editDistance(needle, normalize(name)) }))
    .filter((s) => s.distance <= budget)
    .sort((a, b) => a.distance - b.distance || a.order - b.order);
  if (scored.length === 0) return [];
  // Only names about as close as the best: one clear match should not drag weaker ones along.
  const best = scored[0]!.distance;
  return scored
    .filter((s) => s.distance <= best + 1)
    .slice(0, limit)
    .map((s) => s.name);
}

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_\-/:]+/g, ".");
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
