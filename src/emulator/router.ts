/**
 * The admin API's routes (the assumed contract), matched without I/O: a path and method
 * in, the route and its parameters out — or why not (404 for an unknown path, 405 with the methods
 * the path does allow).
 */

const API_PREFIX = "/api";

export type RouteName =
  | "listEndpoints"
  | "createEndpoint"
  | "getEndpoint"
  | "updateEndpoint"
  | "deleteEndpoint"
  | "rotateSecret"
  | "sendTest"
  | "health"
  | "listDeliveries"
  | "getDelivery"
  | "redeliver";

export interface RouteParams {
  id?: string;
  deliveryId?: string;
}

type RouteMatch =
  | { kind: "route"; name: RouteName; params: RouteParams }
  | { kind: "not_found" }
  | { kind: "method_not_allowed"; allow: string[] };

interface RouteDef {
  /** Segments after /api; `:id` and `:deliveryId` capture. */
  pattern: string[];
  methods: Partial<Record<string, RouteName>>;
}

const ROUTES: RouteDef[] = [
  { pattern: ["webhooks"], methods: { GET: "listEndpoints", POST: "createEndpoint" } },
  { pattern: ["webhooks", ":id"], methods: { GET: "getEndpoint", PATCH: "updateEndpoint", DELETE: "deleteEndpoint" } },
  { pattern: ["webhooks", ":id", "rotate-secret"], methods: { POST: "rotateSecret" } },
  { pattern: ["webhooks", ":id", "test"], methods: { POST: "sendTest" } },
  { pattern: ["webhooks", ":id", "health"], methods: { GET: "health" } },
  { pattern: ["webhooks", ":id", "deliveries"], methods: { GET: "listDeliveries" } },
  { pattern: ["webhooks", ":id", "deliveries", ":deliveryId"], methods: { GET: "getDelivery" } },
  { pattern: ["webhooks", ":id", "deliveries", ":deliveryId", "redeliver"], methods: { POST: "redeliver" } },
];

/** `pathname` is the URL's path without the query, still percent-encoded. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  if (pathname !== API_PREFIX && !pathname.startsWith(API_PREFIX + "/")) return { kind: "not_found" };
  const rest = pathname.slice(API_PREFIX.length).replace(/\/+$/, "");
  const segments = rest === "" ? [] : rest.slice(1).split("/");
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return { kind: "not_found" };
  }
  for (const route of ROUTES) {
    const params = matchSegments(route.pattern, decoded);
    if (!params) continue;
    // HEAD is answered like GET (without a body) wherever GET is.
    const name = route.methods[method] ?? (method === "HEAD" ? route.methods.GET : undefined);
    if (name) return { kind: "route", name, params };
    const allow = Object.keys(route.methods);
    if (allow.includes("GET")) allow.push("HEAD");
    return { kind: "method_not_allowed", allow };
  }
  return { kind: "not_found" };
}

function matchSegments(pattern: string[], segments: string[]): RouteParams | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: RouteParams = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want === ":id" || want === ":deliveryId") {
      if (got === "") return undefined;
      params[want.slice(1) as keyof RouteParams] = got;
    } else if (want !== got) return undefined;
  }
  return params;
}
