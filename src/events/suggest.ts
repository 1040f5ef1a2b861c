/**
 * "Did you mean …?" for event names. Separators are compared loosely (`queue.consumer.admited`,
 * `queue.admission.completed` and `Queue.Consumer.Admitted` all find their event), typos by edit
 * distance with transpositions, and a bare prefix (`draw`, `auction.bid`) by the names it starts.
 * A name with a segment left out or in another order (`draw.won`, `won.draw`) finds the names holding
 * all its words (`draw.consumer.won`); failing that, the names ending in the same word.
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
  if (scored.length > 0) {
    // Only names about as close as the best: one clear match should not drag weaker ones along.
    const best = scored[0]!.distance;
    return scored
      .filter((s) => s.distance <= best + 1)
      .slice(0, limit)
      .map((s) => s.name);
  }
  return byWords(needle, names, limit);
}

/**
 * Names holding every word typed (a typo of one letter forgiven in longer words), fewest extra words
 * first; else names whose last word is the one typed last (`lottery.won` → the `…won` events).
 */
function byWords(needle: string, names: readonly string[], limit: number): string[] {
  const typed = needle.split(".").filter(Boolean);
  if (typed.length === 0) return [];
  const same = (a: string, b: string) => a === b || (a.length >= 4 && b.length >= 4 && editDistance(a, b) <= 1);
  const holding = names
    .map((name, order) => ({ name, order, words: normalize(name).split(".") }))
    .filter((c) => typed.every((word) => c.words.some((w) => same(w, word))))
    .sort((a, b) => a.words.length - b.words.length || a.order - b.order);
  if (holding.length > 0) return holding.slice(0, limit).map((c) => c.name);
  const last = typed[typed.length - 1]!;
  return names.filter((name) => same(normalize(name).split(".").pop()!, last)).slice(0, limit);
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
