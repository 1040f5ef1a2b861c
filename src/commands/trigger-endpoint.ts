import type { Command } from "commander";
import type { Delivery } from "../api/types.js";
import { failure, usageError } from "../errors.js";
import type { Output } from "../terminal/output.js";
import { apiCommand } from "./api-command.js";
import { globalsOf, parseIntFlag } from "./context.js";
import type { CommandDeps } from "./deps.js";

/** How long `trigger --endpoint` waits for a delivery to settle before reporting where it stands. */
export const WAIT_BOUND_MS = 30_000;
const MAX_COUNT = 1000;

interface EndpointTriggerOptions {
  all?: boolean;
  forwardTo?: string;
  secret?: string;
  set?: string[];
  data?: string;
  count: string;
  concurrency: string;
  endpoint: string;
}

/**
 * `trigger <event…> --endpoint ID`: the platform (or the emulator) builds, signs and delivers each
 * event through POST /webhooks/:id/test; this prints each delivery id and waits, polling with a
 * bound, for how it ended. Exit 1 unless every delivery succeeded.
 */
export async function triggerViaEndpoint(
  cmd: Command,
  deps: CommandDeps,
  out: Output,
  names: string[],
  options: EndpointTriggerOptions,
): Promise<number> {
  const local = [
    ["--forward-to", options.forwardTo !== undefined],
    ["--secret", options.secret !== undefined],
    ["--scheme", cmd.getOptionValueSource("scheme") === "cli"],
    ["--concurrency", cmd.getOptionValueSource("concurrency") === "cli"],
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
  const count = parseIntFlag("--count", options.count, 1, MAX_COUNT);
  const { chooseEvents } = await import("../events/catalog.js");
  const events = [...chooseEvents(names, options.all === true).keys()];
  const data = await testData(options.set ?? [], options.data, deps.stdin);

  const [{ api, fmt }, { awaitDelivery }] = await Promise.all([apiCommand(globalsOf(cmd), deps), import("../api/await-delivery.js")]);
  const results: Delivery[] = [];
  await api(async (client) => {
    for (const event of events) {
      for (let i = 0; i < count; i++) {
        const sent = await client.sendTest(endpointId, event, data);
        if (!out.json) out.print(`--> ${sent.eventType} [${sent.id}] to ${sent.endpointId}`);
        const { delivery, settled } = await awaitDelivery(sent, () => client.getDelivery(endpointId, sent.id), {
          boundMs: WAIT_BOUND_MS,
        });
        results.push(delivery);
        if (out.json) out.printJson(delivery);
        else {
          const code = fmt.statusCodeText(delivery.response?.statusCode, delivery.error, out.style);
          const attempts = `${delivery.attempt} attempt${delivery.attempt === 1 ? "" : "s"}`;
          const next = !settled && delivery.nextAttemptAt ? `, next attempt ${fmt.formatTime(delivery.nextAttemptAt)}` : "";
          out.print(`<-- [${code}] ${fmt.deliveryStatusText(delivery.status, out.style)} after ${attempts}${next} [${delivery.id}]`);
        }
      }
    }
  });

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

/**
 * The `data` sent to the test route: --data's object (or its `data` member), then each --set on
 * top. The platform makes the envelope, so --set can only reach fields inside data.
 */
async function testData(sets: string[], dataFile: string | undefined, stdin: NodeJS.ReadableStream): Promise<Record<string, unknown> | undefined> {
  const { ENVELOPE_KEYS } = await import("../events/types.js");
  for (const assignment of sets) {
    const head = assignment.slice(0, Math.max(0, assignment.indexOf("="))).trim().split(".")[0]!;
    if (head !== "data" && (ENVELOPE_KEYS as readonly string[]).includes(head)) {
      throw usageError(`--set ${head}=… does not go with --endpoint: the platform sets the envelope`, "set fields inside data, e.g. --set data.position=5");
    }
  }
  let fileText: string | undefined;
  if (dataFile !== undefined) {
    const { readDataFile } = await import("../events/overrides.js");
    const parsed = await readDataFile(dataFile, stdin);
    const envelope = Object.keys(parsed).filter((k) => (ENVELOPE_KEYS as readonly string[]).includes(k));
    if (envelope.some((k) => k !== "data")) {
      throw usageError(`--data with --endpoint may hold only data fields, not ${envelope.join(", ")}`, 'e.g. {"position": 5}');
    }
    fileText = JSON.stringify(envelope.includes("data") ? parsed.data : parsed);
  }
  const { buildTestData } = await import("../api/test-data.js");
  return buildTestData(fileText, sets, `--data ${dataFile ?? ""}`.trim());
}
