import { requireEventType } from "./catalog.js";
import { newId } from "./ids.js";
import { applySetOverrides, dataChanges, mergeData, refuseEnvelopeOverrides } from "./overrides.js";
import { isoSeconds } from "./sample-values.js";
import type { EventType, SampleContext, WebhookPayload } from "./types.js";

export type { WebhookPayload };

interface SampleOptions {
  /** The event's moment; every timestamp of the sample is at or near it. Default: now. */
  now?: Date;
  /** `--set path=value` overrides, applied last. */
  set?: string[];
  /** A parsed `--data FILE`, merged before the --set overrides. */
  data?: Record<string, unknown>;
  /** Default: one org id per process (see sampleOrganizationId). */
  organizationId?: string;
}

let organizationId: string | undefined;

/**
 * The organization samples claim to come from. Made once per process, so every sample of one run
 * (a `trigger --all`, an emulator session) belongs to the same organization.
 */
function sampleOrganizationId(): string {
  organizationId ??= newId("org");
  return organizationId;
}

function sampleContext(now: Date = new Date()): SampleContext {
  return { now, id: (prefix: string) => newId(prefix, now) };
}

/** A fresh sample delivery body of `name` (an unknown name is a usage error with suggestions). */
export function buildSample(name: string, options: SampleOptions = {}): WebhookPayload {
  return sampleOf(requireEventType(name), options);
}

export function sampleOf(event: EventType, options: SampleOptions = {}): WebhookPayload {
  const now = options.now ?? new Date();
  let payload: WebhookPayload = {
    id: newId("whk", now),
    type: event.name,
    timestamp: isoSeconds(now),
    organizationId: options.organizationId ?? sampleOrganizationId(),
    data: event.sampleData(sampleContext(now)),
  };
  if (options.data) payload = mergeData(payload, options.data);
  if (options.set && options.set.length > 0) payload = applySetOverrides(payload, options.set);
  return payload;
}

/**
 * The `data` for the platform's test route (`endpoints test`, `trigger --endpoint`), which merges it
 * into its own sample of `event`: the changes `--data` and `--set` make to a local sample, by the
 * same rules as `trigger` and `sample` (array indexes reach elements, a value keeps the type of the
 * field it replaces), so `data.amount=10.00` arrives as "10.00" either way. Undefined when nothing is
 * overridden (the platform's sample goes as it is).
 */
export function testRouteData(
  event: EventType,
  options: Pick<SampleOptions, "set" | "data"> = {},
): Record<string, unknown> | undefined {
  const set = options.set ?? [];
  if (set.length === 0 && options.data === undefined) return undefined;
  refuseEnvelopeOverrides(set, options.data);
  const base = sampleOf(event);
  let changed = base;
  if (options.data) changed = mergeData(changed, options.data);
  if (set.length > 0) changed = applySetOverrides(changed, set);
  return dataChanges(base.data, changed.data);
}
