import type { Command } from "commander";
import { escapeControl as e } from "../terminal/escape.js";
import type { GlobalOptions } from "../config/globals.js";
import { DELIVERY_STATUSES } from "../api/types.js";
import { usageError } from "../errors.js";
import { type CommandContext, examples, runWith } from "./context.js";
import { apiCommand } from "./api-command.js";
import { DEFAULT_INTERVAL, parseStatusFlag, tailDeliveries } from "./deliveries-tail.js";
import type { CommandDeps } from "./deps.js";

const MAX_LIMIT = 100;

export function registerDeliveries(webhooks: Command, ctx: CommandContext): void {
  const deliveries = webhooks
    .command("deliveries")
    .description("the delivery log of an endpoint: list, inspect, redeliver, tail")
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks deliveries list we_123 --status permanently_failed", "what never arrived"],
        ["fanfare webhooks deliveries get we_123 whk_01…", "request, response and every attempt"],
        ["fanfare webhooks deliveries redeliver we_123 whk_01…", "send the same payload again"],
        ["fanfare webhooks deliveries tail we_123", "watch deliveries and retries as they happen"],
      ]),
    );

  deliveries
    .command("list")
    .description("recent deliveries of an endpoint, newest first (the last 100 are kept)")
    .argument("<endpointId>", "endpoint id (we_…)")
    .option("--status <status>", `only this status: ${DELIVERY_STATUSES.join(", ")}`)
    .option("--limit <n>", `at most n deliveries (1-${MAX_LIMIT})`)
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks deliveries list we_123", "the latest deliveries"],
        ["fanfare webhooks deliveries list we_123 --status failed --limit 5 --json", "for a script"],
      ]),
    )
    .action(runWith(ctx, listDeliveries));

  deliveries
    .command("get")
    .description("one delivery: request headers and body, the response, every attempt")
    .argument("<endpointId>", "endpoint id (we_…)")
    .argument("<deliveryId>", "delivery id (whk_…)")
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks deliveries get we_123 whk_01…", "for people"],
        ["fanfare webhooks deliveries get we_123 whk_01… --json | jq -r .request.body > body.json", "save the raw body"],
      ]),
    )
    .action(runWith(ctx, getDelivery));

  deliveries
    .command("redeliver")
    .description("send a delivery's exact payload again (a new attempt)")
    .argument("<endpointId>", "endpoint id (we_…)")
    .argument("<deliveryId>", "delivery id (whk_…)")
    .addHelpText(
      "after",
      "\nWaits for the new attempt (up to 35 s). Exit 0 when it succeeded, 1 when it failed or had not finished.\n" +
        examples([["fanfare webhooks deliveries redeliver we_123 whk_01…", "after fixing the receiver"]]),
    )
    .action(runWith(ctx, redeliverDelivery));

  deliveries
    .command("tail")
    .description("stream the delivery log live: new deliveries and every attempt, redeliver from the view")
    .argument("[endpointId...]", "endpoint ids (we_…); or --all")
    .option("--all", "every endpoint (new ones join as they appear)")
    .option("--status <status>", `only deliveries in this status: ${DELIVERY_STATUSES.join(", ")}`)
    .option("--events <pattern>", "only these event types; * matches anything (draw.*,order.created)")
    .option("--since <duration>", "also show what changed this long before starting (10m, 1h); default: only what happens from now")
    .option("--interval <duration>", "how often to poll the API", DEFAULT_INTERVAL)
    .addHelpText(
      "after",
      "\nOn a terminal: a live view (↑/↓ select, enter details with every attempt, r redeliver, f failed only,\n" +
        "/ filter, p pause, q quit). Otherwise, or with --json: one NDJSON object per new delivery and per new\n" +
        "attempt, until stopped. Exit 130 on Ctrl-C, 1 when the API refuses the key, 2 for bad flags or an\n" +
        "unknown endpoint.\n" +
        examples([
          ["fanfare webhooks deliveries tail we_123", "watch one endpoint"],
          ["fanfare webhooks deliveries tail --all --status permanently_failed", "what never arrives, everywhere"],
          ["fanfare webhooks deliveries tail we_123 --json | jq -c 'select(.statusCode != 200)'", "in a script"],
          ["fanfare webhooks deliveries tail we_123 --since 1h --events 'draw.*'", "the last hour of draw events, then live"],
        ]),
    )
    .action(runWith(ctx, tailDeliveries));
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_LIMIT) {
    throw usageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${text}"`, "e.g. --limit 20", "invalid_limit");
  }
  return n;
}

export async function listDeliveries(
  options: GlobalOptions & { status?: string; limit?: string; endpointId: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { endpointId } = options;
  const status = parseStatusFlag(options.status);
  const limit = options.limit === undefined ? undefined : parseLimit(options.limit);
  const { out, api, fmt } = await apiCommand(options, deps);
  const list = await api((c) => c.listDeliveries(endpointId, { status, limit }));
  if (out.json) return out.printJson(list);
  if (list.length === 0) {
    out.info(`no deliveries${status ? ` with status ${status}` : ""} for ${e(endpointId)}`);
    out.info(out.style.dim("hint: ") + `send one with \`fanfare webhooks endpoints test ${e(endpointId)} <event>\``);
    return;
  }
  out.print(fmt.deliveryTable(list, out.style).join("\n"));
}

export async function getDelivery(
  options: GlobalOptions & { endpointId: string; deliveryId: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { endpointId, deliveryId } = options;
  const { out, api, fmt } = await apiCommand(options, deps);
  const delivery = await api((c) => c.getDelivery(endpointId, deliveryId));
  if (out.json) return out.printJson(delivery);
  out.print(fmt.deliveryDetail(delivery, out.style).join("\n"));
}

export async function redeliverDelivery(
  options: GlobalOptions & { endpointId: string; deliveryId: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { endpointId, deliveryId } = options;
  const [{ out, api, fmt }, { awaitAttempt }] = await Promise.all([apiCommand(options, deps), import("../api/await-delivery.js")]);
  // The API may answer while the new attempt is in flight, still showing the last one's outcome.
  const delivery = await api(async (c) => awaitAttempt(await c.redeliver(endpointId, deliveryId), () => c.getDelivery(endpointId, deliveryId)));
  const failed = delivery.status !== "succeeded";
  if (out.json) out.printJson(delivery);
  else {
    const code = fmt.attemptAnswerText(delivery, out.style);
    // Still pending: the delivery shows the attempts that ended, so the one under way is the next.
    const attempt = delivery.status === "pending" ? delivery.attempt + 1 : delivery.attempt;
    out.print(`redelivered ${e(delivery.id)} (attempt ${attempt}): ${fmt.deliveryStatusText(delivery.status, out.style)} (${code})`);
  }
  return failed ? 1 : 0;
}
