/**
 * Event-type patterns (`draw.*`, `order.created`, `draw.*,order.*`): `*` matches any run of
 * characters, dots included, so `draw.*` is every draw event; commas separate alternatives.
 * Case-sensitive, as event names are.
 */
export function eventPatternMatcher(pattern: string): (eventType: string) => boolean {
  const parts = pattern
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return () => true;
  const regexes = parts.map((p) => new RegExp("^" + p.split("*").map(escapeRegExp).join(".*") + "$"));
  return (eventType) => regexes.some((r) => r.test(eventType));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
