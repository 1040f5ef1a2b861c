import type { Delivery } from "../api/types.js";
import type { DeliveryResult } from "../delivery/report.js";
import { escapeControl as e } from "../terminal/escape.js";
import { failure, usageError } from "../errors.js";
import type { Output } from "../terminal/output.js";
import { apiCommand } from "./api-command.js";
import { parseIntFlag } from "./context.js";
import type { CommandDeps } from "./deps.js";
import type { GlobalOptions } from "../config/globals.js";

/** How long `trigger --endpoint` waits for a delivery to settle before reporting where it stands. */
const WAIT_BOUND_MS = 30_000;
const MAX_COUNT = 1000;

/** trigger's options; the local-delivery ones are refused here, so the check needs to see them. */
interface EndpointTriggerOptions extends GlobalOptions {
  event: string[];
  all?: boolean;
  forwardTo?: string;
  secret?: string;
  scheme?: string;
  set?: string[];
  data?: string;
  count?: string;
  concurrency?: string;
  endpoint: string;
}

/**
 * `trigger <event…> --endpoint ID`: the platform (or the emulator) builds, signs and delivers each
 * event through POST /webhooks/:id/test; this prints each delivery id and waits, polling with a
 * bound, for how it ended. Exit 1 unless every delivery succeeded.
 */
export async function triggerViaEndpoint(options: EndpointTriggerOptions, deps: CommandDeps, out: Output): Promise<number> {
  const local = [
    ["--forward-to", options.forwardTo !== undefined],
    ["--secret", options.secret !== undefined],
    ["--scheme", options.scheme !== undefined],
    ["--concurrency", options.concurrency !== undefined],
  ] as const;
  const clash = local.find(([, given]) => given);
  if (clash) {
    throw usageError(
      `${clash[0]} does not go with --endpoint: the platform signs and sends to the endpoint's URL`,
      "drop it, or drop --endpoint to send straight to a URL",
      "usage",
    );
  }
  const endpointId = options.endpoint.trim();
  if (!endpointId) throw usageError("--endpoint is empty", "e.g. --endpoint we_123 (see `fanfare webhooks endpoints list`)");
  const count = parseIntFlag("--count", options.count ?? "1", 1, MAX_COUNT);
  const [{ chooseEvents }, { readDataFile }, { testRouteData }] = await Promise.all([
    import("../events/catalog.js"),
    import("../events/overrides.js"),
    import("../events/sample.js"),
  ]);
  const chosen = chooseEvents(options.event, options.all === true);
  const events = [...chosen.keys()];
  const file = options.data === undefined ? undefined : await readDataFile(options.data, () => deps.stdin);
  // Every event's data up front, so a bad --set fails the run before anything is sent.
  const dataOf = new Map(events.map((event) => [event, testRouteData(chosen.get(event)!, { set: options.set, data: file })]));

  const [{ api, fmt }, { awaitDelivery }, { SummaryCollector, deliveryJson, summaryLine }] = await Promise.all([
    apiCommand(options, deps),
    import("../api/await-delivery.js"),
    import("../delivery/report.js"),
  ]);
  const started = performance.now();
  let collector: InstanceType<typeof SummaryCollector> | undefined;
  const results: Delivery[] = [];
  await api(async (client) => {
    for (const event of events) {
      for (let i = 0; i < count; i++) {
        const sent = await client.sendTest(endpointId, event, dataOf.get(event));
        if (!out.json) out.print(`--> ${e(sent.eventType)} [${e(sent.id)}] to ${e(sent.endpointId)}`);
        const { delivery, settled } = await awaitDelivery(sent, () => client.getDelivery(endpointId, sent.id), {
          boundMs: WAIT_BOUND_MS,
        });
        results.push(delivery);
        const result = resultOf(delivery);
        (collector ??= new SummaryCollector(delivery.request.url)).add(result);
        if (out.json) {
          // trigger's NDJSON line (what a script filters on: ok, status), and where the delivery stands.
          out.print(deliveryJson(result, { deliveryStatus: delivery.status, attempts: delivery.attempt }));
        } else {
          const code = fmt.statusCodeText(delivery.response?.statusCode, delivery.error, out.style);
          const attempts = `${delivery.attempt} attempt${delivery.attempt === 1 ? "" : "s"}`;
          const next = !settled && delivery.nextAttemptAt ? `, next attempt ${fmt.formatTime(delivery.nextAttemptAt)}` : "";
          out.print(`<-- [${code}] ${fmt.deliveryStatusText(delivery.status, out.style)} after ${attempts}${next} [${e(delivery.id)}]`);
        }
      }
    }
  });

  const summary = collector!.summary(performance.now() - started, { planned: events.length * count });
  if (out.json) out.printJson({ summary });
  else out.print(summaryLine(summary));
  const failed = results.filter((d) => d.status !== "succeeded");
  if (failed.length === 0) return 0;
  const first = failed[0]!;
  const firstCode = first.response?.statusCode ?? first.error ?? "no answer yet";
  throw failure(
    `${failed.length} of ${results.length} deliveries did not succeed (first: ${first.eventType} [${first.id}] ${first.status}, ${firstCode})`,
    `details: fanfare webhooks deliveries get ${endpointId} ${first.id}`,
    "delivery_failed",
  );
}

/** A delivery of the platform as a result of a trigger run: ok when it succeeded. */
function resultOf(delivery: Delivery): DeliveryResult {
  return {
    event: delivery.eventType,
    id: delivery.id,
    url: delivery.request.url,
    status: delivery.response?.statusCode ?? null,
    ok: delivery.status === "succeeded",
    durationMs: delivery.durationMs ?? 0,
    error: delivery.error,
    // The platform words why there was no answer; the summary counts such deliveries together.
    errorCode: delivery.response?.statusCode == null && delivery.error !== null ? "network_error" : null,
    responseBody: "",
  };
}
