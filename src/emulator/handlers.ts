import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus, type Endpoint } from "../api/types.js";
import { maskSecret } from "../config/mask.js";
import { findEventType } from "../events/catalog.js";
import { newId } from "../events/ids.js";
import { sampleOf } from "../events/sample.js";
import { generateSecret } from "../signing/secret.js";
import type { DeliveryEngine } from "./engine.js";
import { HttpError, notFound } from "./http-error.js";
import { DELIVERIES_KEPT, endpointHealth, selectDeliveries, STORED_BODY_LIMIT } from "./records.js";
import type { RouteName, RouteParams } from "./router.js";
import { edit, type EmulatorStore } from "./store.js";
import { checkCreateEndpoint, checkTestEvent, checkUpdateEndpoint, standardSecretProblem, type Checked } from "./validate.js";

interface ApiRequest {
  params: RouteParams;
  query: URLSearchParams;
  /** The parsed JSON body, undefined when there was none. */
  body: unknown;
}

interface ApiResponse {
  status: number;
  body?: unknown;
}

export interface HandlerDeps {
  store: EmulatorStore;
  engine: DeliveryEngine;
  /**
   * How long test and redeliver wait for their attempt before answering with the delivery as it
   * stands (pending): the answer then says how the attempt went, without holding the client for
   * the whole 30 s delivery timeout.
   */
  replyWaitMs: number;
  now?: () => Date;
}

type Handler = (req: ApiRequest, deps: HandlerDeps) => Promise<ApiResponse> | ApiResponse;

/** Secrets leave the emulator in full only in the answers to create and rotate-secret. */
function masked(endpoint: Endpoint): Endpoint {
  return { ...endpoint, secret: maskSecret(endpoint.secret) };
}

function nowIso(deps: HandlerDeps): string {
  return (deps.now?.() ?? new Date()).toISOString();
}

function valueOf<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new HttpError(checked.status, checked.code, checked.message, checked.fields);
  return checked.value;
}

function endpointOf(deps: HandlerDeps, params: RouteParams): Endpoint {
  const endpoint = deps.store.endpoint(params.id!);
  if (!endpoint) throw notFound(`endpoint ${params.id}`);
  return endpoint;
}

function requireEnabled(endpoint: Endpoint): void {
  if (!endpoint.enabled) {
    throw new HttpError(409, "endpoint_paused", `endpoint ${endpoint.id} is paused; resume it to send deliveries`);
  }
}

/** Waits for an attempt up to replyWaitMs, then answers with the delivery as the store has it. */
async function afterAttempt(
  deps: HandlerDeps,
  endpointId: string,
  started: { delivery: Delivery; firstAttempt: Promise<Delivery | undefined> },
): Promise<Delivery> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, deps.replyWaitMs)));
  await Promise.race([started.firstAttempt, waited]);
  clearTimeout(timer);
  return deps.store.delivery(endpointId, started.delivery.id)?.delivery ?? started.delivery;
}

function parseQuery(query: URLSearchParams): { status?: DeliveryStatus; limit: number; since?: number } {
  const fields: Record<string, string> = {};
  const status = query.get("status") || undefined;
  if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
    fields.status = `must be one of ${DELIVERY_STATUSES.join(", ")}`;
  }
  const limitText = query.get("limit");
  let limit = DELIVERIES_KEPT;
  if (limitText !== null && limitText !== "") {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > DELIVERIES_KEPT) {
      fields.limit = `must be a whole number from 1 to ${DELIVERIES_KEPT}`;
    }
  }
  const sinceText = query.get("since");
  let since: number | undefined;
  if (sinceText !== null && sinceText !== "") {
    since = parseSince(sinceText);
    if (since === undefined) fields.since = "must be an ISO-8601 date-time, e.g. 2026-11-30T12:00:00.000Z";
  }
  if (Object.keys(fields).length > 0) {
    const message = "invalid query: " + Object.entries(fields).map(([k, v]) => `${k} ${v}`).join("; ");
    throw new HttpError(422, "validation_failed", message, fields);
  }
  return { status: status as DeliveryStatus | undefined, limit, since };
}

/** An ISO-8601 date-time with a zone (`Z` or an offset), as `updatedAt` is written; else undefined. */
function parseSince(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export const HANDLERS: Record<RouteName, Handler> = {
  listEndpoints(_req, deps) {
    return { status: 200, body: { data: deps.store.endpoints().map(masked) } };
  },

  createEndpoint(req, deps) {
    const input = valueOf(checkCreateEndpoint(req.body));
    const now = nowIso(deps);
    const endpoint: Endpoint = {
      id: newId("we"),
      url: input.url,
      events: [...new Set(input.events)],
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      // Generated secrets are whsec_<base64>, so they sign in every scheme, standard included.
      secret: input.secret ?? generateSecret(),
      scheme: input.scheme ?? "v1",
      createdAt: now,
      updatedAt: now,
    };
    deps.store.change((state) => edit.putEndpoint(state, endpoint));
    return { status: 201, body: endpoint };
  },

  getEndpoint(req, deps) {
    return { status: 200, body: masked(endpointOf(deps, req.params)) };
  },

  updateEndpoint(req, deps) {
    const current = endpointOf(deps, req.params);
    const input = valueOf(checkUpdateEndpoint(req.body));
    const updated: Endpoint = {
      ...current,
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(input.scheme !== undefined ? { scheme: input.scheme } : {}),
      updatedAt: nowIso(deps),
    };
    if (input.scheme === "standard" && standardSecretProblem(current.secret)) {
      throw new HttpError(
        422,
        "validation_failed",
        "validation failed: scheme standard needs a base64 secret, and this endpoint's is not; rotate its secret first",
        { scheme: "needs a whsec_<base64> secret (POST /webhooks/:id/rotate-secret makes one)" },
      );
    }
    deps.store.change((state) => edit.putEndpoint(state, updated));
    // Deliveries held back while it was paused (retries that fell due) go out now.
    if (updated.enabled && !current.enabled) deps.engine.resume(updated.id);
    return { status: 200, body: masked(updated) };
  },

  deleteEndpoint(req, deps) {
    endpointOf(deps, req.params);
    const log = deps.store.change((state) => edit.removeEndpoint(state, req.params.id!));
    deps.engine.forget(log);
    return { status: 204 };
  },

  rotateSecret(req, deps) {
    const current = endpointOf(deps, req.params);
    const updated: Endpoint = { ...current, secret: generateSecret(), updatedAt: nowIso(deps) };
    // From here on every attempt, retries included, is signed with the new secret only.
    deps.store.change((state) => edit.putEndpoint(state, updated));
    return { status: 200, body: { secret: updated.secret } };
  },

  async sendTest(req, deps) {
    const endpoint = endpointOf(deps, req.params);
    const input = valueOf(checkTestEvent(req.body));
    requireEnabled(endpoint);
    const eventType = findEventType(input.eventType)!;
    // `data` is merged into the sample's data (wrapped, so a key named like an envelope field stays in data).
    const payload = sampleOf(eventType, input.data ? { data: { data: input.data } } : {});
    const body = JSON.stringify(payload);
    const size = Buffer.byteLength(body);
    if (size > STORED_BODY_LIMIT) {
      throw new HttpError(
        413,
        "payload_too_large",
        `the test event would be ${size} bytes; the emulator sends and keeps at most ${STORED_BODY_LIMIT} bytes (256 KB) per delivery: send less data`,
      );
    }
    const started = deps.engine.deliver({ endpointId: endpoint.id, id: payload.id, eventType: payload.type, body });
    return { status: 201, body: await afterAttempt(deps, endpoint.id, started) };
  },

  health(req, deps) {
    const endpoint = endpointOf(deps, req.params);
    return { status: 200, body: endpointHealth(deps.store.deliveries(endpoint.id)) };
  },

  listDeliveries(req, deps) {
    const endpoint = endpointOf(deps, req.params);
    const { status, limit, since } = parseQuery(req.query);
    return { status: 200, body: { data: selectDeliveries(deps.store.deliveries(endpoint.id), status, limit, since) } };
  },

  getDelivery(req, deps) {
    const endpoint = endpointOf(deps, req.params);
    const record = deps.store.delivery(endpoint.id, req.params.deliveryId!);
    if (!record) throw notFound(`delivery ${req.params.deliveryId}`);
    return { status: 200, body: record.delivery };
  },

  async redeliver(req, deps) {
    const endpoint = endpointOf(deps, req.params);
    const deliveryId = req.params.deliveryId!;
    if (!deps.store.delivery(endpoint.id, deliveryId)) throw notFound(`delivery ${deliveryId}`);
    requireEnabled(endpoint);
    if (deps.engine.isSending(endpoint.id, deliveryId)) {
      throw new HttpError(409, "delivery_in_progress", `an attempt of ${deliveryId} is in flight; try again when it ends`);
    }
    const started = deps.engine.redeliver(endpoint.id, deliveryId);
    return { status: 200, body: await afterAttempt(deps, endpoint.id, started) };
  },
};
