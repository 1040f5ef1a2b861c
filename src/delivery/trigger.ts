import type { SignatureScheme } from "../signing/options.js";
import { runConcurrently } from "./batch.js";
import { SummaryCollector, type DeliveryResult, type TriggerSummary } from "./report.js";
import { signDelivery, type DeliveryClient, type SignedDelivery } from "./send.js";

/** The envelope of a sample; only what trigger needs of it. */
interface TriggerPayload {
  id: string;
  type: string;
}

export interface TriggerRun {
  /** Event names, already checked against the catalog. */
  events: readonly string[];
  /** Deliveries per event (each with a fresh payload and id). */
  count: number;
  concurrency: number;
  url: URL;
  secret: string;
  /**
   * Every receiver each delivery goes to, each signed with its own secret (several running listens,
   * as every `stripe listen` gets each event). Absent: `url` with `secret`.
   */
  targets?: readonly TriggerTarget[];
  scheme: SignatureScheme;
  /** A fresh sample of an event: a new id each call. */
  buildPayload(event: string, now: Date): TriggerPayload;
  /**
   * A fresh delivery id, when ids are generated (not pinned by --set/--data). With it, a long run
   * re-makes each event's sample once a second and gives every delivery its own id, rather than
   * building a whole sample per delivery (see bodyMaker).
   */
  newId?(now: Date): string;
  client: Pick<DeliveryClient, "send">;
  /** Called once per delivery as its answer arrives (in completion order). */
  onResult?(result: DeliveryResult): void;
  /** Aborting (Ctrl-C) stops new deliveries; those in flight finish, or fail if the client is destroyed. */
  signal?: AbortSignal;
  /** Epoch ms; passed in so tests control timestamps. */
  now?: () => number;
  /** A monotonic ms clock for the elapsed time. */
  elapsed?: () => number;
}

interface TriggerTarget {
  url: URL;
  secret: string;
}

export interface TriggerOutcome {
  summary: TriggerSummary;
  /** The first failed delivery, for the closing error line. */
  firstFailure: DeliveryResult | undefined;
}

/** Total deliveries of a run, and which event the i-th one is: every event in turn, `count` rounds. */
export function plannedDeliveries(events: readonly string[], count: number): number {
  return events.length * count;
}

export function eventAt(events: readonly string[], index: number): string {
  return events[index % events.length]!;
}

/**
 * Sends `count` rounds of every event to one URL, `concurrency` at a time: each delivery is a fresh
 * sample, serialized once, signed over exactly those bytes and POSTed. Deliveries that fail are
 * results, not exceptions; the run always ends with a summary. A refused connection stops the run
 * (nothing is listening), as does the signal.
 */
export async function triggerDeliveries(run: TriggerRun): Promise<TriggerOutcome> {
  const now = run.now ?? Date.now;
  const targets = run.targets ?? [{ url: run.url, secret: run.secret }];
  const rounds = plannedDeliveries(run.events, run.count);
  const makeBody = bodyMaker(run.buildPayload, run.newId);

  return collectSends(
    { ...run, rounds, planned: rounds * targets.length, firstUrl: targets[0]!.url.href },
    async (index, send) => {
      const event = eventAt(run.events, index);
      const nowMs = now();
      const body = makeBody(event, nowMs);
      const sendTo = (target: TriggerTarget): Promise<void> =>
        send(
          target.url,
          signDelivery({
            eventType: body.type,
            deliveryId: body.id,
            body: body.text,
            secret: target.secret,
            scheme: run.scheme,
            timestamp: Math.floor(nowMs / 1000),
          }),
        );
      // The same delivery (one id, one body) to every target, as the platform fans one event out.
      if (targets.length === 1) await sendTo(targets[0]!);
      else await Promise.all(targets.map(sendTo));
    },
  );
}

interface SendsRun {
  /** How many times `round` is called. */
  rounds: number;
  /** How many deliveries the rounds send in all (the summary's `planned`). */
  planned: number;
  /** Where the summary says the run went (the first target). */
  firstUrl: string;
  concurrency: number;
  client: Pick<DeliveryClient, "send">;
  onResult?(result: DeliveryResult): void;
  signal?: AbortSignal;
  elapsed?: () => number;
}

/**
 * Runs `rounds` rounds `concurrency` at a time, each sending through `send`, with the rules of every
 * run of sends (trigger's and replay's): failures are results, not exceptions; a request cut short by
 * the signal is no one's failure; a refused connection stops the run (nothing is listening, and every
 * further delivery would say so), as does the signal; the run always ends with a summary.
 */
export async function collectSends(
  run: SendsRun,
  round: (index: number, send: (url: URL, delivery: SignedDelivery) => Promise<void>) => Promise<void>,
): Promise<TriggerOutcome> {
  const elapsed = run.elapsed ?? (() => performance.now());
  const collector = new SummaryCollector(run.firstUrl);
  const started = elapsed();
  let refused = false;
  const send = async (url: URL, delivery: SignedDelivery): Promise<void> => {
    const result = await run.client.send(url, delivery);
    if (result.errorCode === "interrupted") return;
    if (result.errorCode === "connection_refused") refused = true;
    collector.add(result);
    run.onResult?.(result);
  };
  await runConcurrently(run.rounds, run.concurrency, (index) => round(index, send), () => refused || run.signal?.aborted === true);
  const interrupted = run.signal?.aborted === true && collector.sent < run.planned;
  return {
    summary: collector.summary(elapsed() - started, { planned: run.planned, interrupted }),
    firstFailure: collector.firstFailure,
  };
}

interface DeliveryBody {
  id: string;
  type: string;
  /** The serialized payload, sent and signed as is. */
  text: string;
}

interface Template {
  second: number;
  type: string;
  /** The JSON before and after the id's value. */
  head: string;
  tail: string;
}

/**
 * Makes the body of each delivery. Without `newId`, every delivery is a whole new sample. With it,
 * each event's sample is made once per second (so its timestamps stay at "now") and serialized,
 * and each delivery splices a fresh id into that JSON: the bytes are exactly what JSON.stringify
 * would give for the sample with that id, at a fraction of the cost of building a sample, which
 * matters at thousands of deliveries a second.
 */
export function bodyMaker(
  buildPayload: TriggerRun["buildPayload"],
  newId?: TriggerRun["newId"],
): (event: string, nowMs: number) => DeliveryBody {
  const whole = (event: string, nowMs: number): DeliveryBody => {
    const payload = buildPayload(event, new Date(nowMs));
    return { id: payload.id, type: payload.type, text: JSON.stringify(payload) };
  };
  if (newId === undefined) return whole;

  const templates = new Map<string, Template | null>();
  return (event, nowMs) => {
    const second = Math.floor(nowMs / 1000);
    let template = templates.get(event);
    if (template === null) return whole(event, nowMs);
    if (template === undefined || template.second !== second) {
      const payload = buildPayload(event, new Date(nowMs));
      const text = JSON.stringify(payload);
      const head = '{"id":';
      const quotedId = JSON.stringify(payload.id);
      // Only a body that starts with the id can take another one in its place.
      if (!text.startsWith(head + quotedId)) {
        templates.set(event, null);
        return { id: payload.id, type: payload.type, text };
      }
      template = { second, type: payload.type, head, tail: text.slice(head.length + quotedId.length) };
      templates.set(event, template);
      return { id: payload.id, type: payload.type, text };
    }
    const id = newId(new Date(nowMs));
    return { id, type: template.type, text: `${template.head}${JSON.stringify(id)}${template.tail}` };
  };
}
