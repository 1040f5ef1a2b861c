import { parseTargetUrl } from "../delivery/target-url.js";
import { usageError } from "../errors.js";
import { eventPatternMatcher } from "../events/event-pattern.js";

/**
 * One `--forward`: where deliveries go and, with `PATTERN=TARGET`, which of them. Pure: parsing and
 * matching only; the forwarders that send are built from these in session.ts.
 *
 *   --forward 3000/webhooks                     every event to http://localhost:3000/webhooks
 *   --forward 'draw.*=localhost:4000/draws'     draw.consumer.won, draw.closed, … to :4000
 */
export interface ForwardRoute {
  /** The event pattern as typed; null: every event. */
  pattern: string | null;
  url: URL;
}

/** Text before a first `=` that comes before any `:`, `/`, `?` or `#`: never part of a URL's address. */
const ROUTE = /^([^=:/?#]*)=(.*)$/;
const PATTERN = /^[A-Za-z0-9_.*-]+$/;

/** `--forward` as typed: a bare target, or `PATTERN=TARGET`. Bad input is a usage error (exit 2). */
export function parseForwardFlag(input: string): ForwardRoute {
  const text = input.trim();
  const match = ROUTE.exec(text);
  if (!match) return { pattern: null, url: parseTargetUrl(text, "--forward") };
  const pattern = match[1]!.trim();
  // `*=target` is every event too: it says so plainly.
  if (pattern === "*") return { pattern: null, url: parseTargetUrl(match[2]!, "--forward") };
  if (!PATTERN.test(pattern) || !/[A-Za-z0-9]/.test(pattern)) {
    throw usageError(
      `--forward "${input}" has no event pattern before "="`,
      "write PATTERN=TARGET, e.g. --forward 'draw.*=localhost:3000/draws', or only the target for every event",
      "invalid_target",
    );
  }
  return { pattern, url: parseTargetUrl(match[2]!, "--forward") };
}

/** Whether an event type matches a route's pattern (events/event-pattern.ts); null: every event. */
export function eventMatcher(pattern: string | null): (eventType: string) => boolean {
  return pattern === null ? () => true : eventPatternMatcher(pattern);
}

/** How a route reads in the banner, the header and messages: `http://…/draws (draw.*)`. */
export function describeRoute(route: { pattern: string | null; url: URL | string }): string {
  const url = typeof route.url === "string" ? route.url : route.url.href;
  return route.pattern === null ? url : `${url} (${route.pattern})`;
}

/**
 * The event types a temporary endpoint needs: when every route has a pattern, only the documented
 * events some route takes (the platform need not send what would go nowhere); else all of `all`.
 */
export function routedEvents(routes: readonly ForwardRoute[], all: readonly string[]): string[] {
  if (routes.some((route) => route.pattern === null)) return [...all];
  const matchers = routes.map((route) => eventMatcher(route.pattern));
  return all.filter((event) => matchers.some((matches) => matches(event)));
}
