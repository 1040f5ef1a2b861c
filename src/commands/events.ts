import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { type CommandContext, collect, commaList, examples, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

interface EventsOptions {
  status?: string[];
  category?: string[];
}

interface SampleFlags {
  set?: string[];
  data?: string;
}

/** Registers `events` and `sample` on the `webhooks` command. */
export function registerEvents(parent: Command, ctx: CommandContext): void {
  parent
    .command("events")
    .description("list every documented event type, with its status (reference, guide, planned) and description")
    .option("--status <status>", "only these statuses: reference, guide, planned (comma-separated)", commaList)
    .option(
      "--category <category>",
      "only these categories: queue, draw, auction, order, consumer, distribution, experience",
      commaList,
    )
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks events", "all 52 event types as a table"],
        ["fanfare webhooks events --status reference", "the 21 whose payloads the events reference documents"],
        ["fanfare webhooks events --category draw,auction", "draw and auction events only"],
        ["fanfare webhooks events --json | jq -r '.[].name'", "just the names, for a script"],
      ]),
    )
    .action(runWith(ctx, listEvents));

  parent
    .command("sample")
    .description("print a realistic sample payload of an event type (fresh ids, timestamps at now)")
    .argument("<event>", 'event type, e.g. draw.consumer.won (see "fanfare webhooks events")')
    .option(
      "--set <path=value>",
      "override a field, repeatable: data.position=5, position=5, data.items.0.quantity=2",
      collect,
    )
    .option("--data <file>", "merge a JSON object into the payload (its data, or the envelope); - reads stdin")
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks sample draw.consumer.won", "a winner notification, pretty-printed"],
        ["fanfare webhooks sample order.created --set data.amount=10.00 --set data.currencyCode=EUR", "override fields (amount stays a string)"],
        ["fanfare webhooks sample queue.consumer.entered --set position=1 --json", "one compact line, position 1"],
        ["fanfare webhooks sample order.created --data order.json > body.json", "merge fields from a file, save the body"],
      ]),
    )
    .action(runWith(ctx, printSample));
}

export async function listEvents(options: GlobalOptions & EventsOptions, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const { filterEventTypes } = await import("../events/catalog.js");
  const events = filterEventTypes({ status: options.status, category: options.category });
  const { eventTable, summarize } = await import("../events/format.js");
  if (out.json) out.printJson(events.map(summarize));
  else for (const line of eventTable(events, out.style)) out.print(line);
}

export async function printSample(
  options: GlobalOptions & SampleFlags & { event: string },
  deps: CommandDeps,
): Promise<number | void> {
  const out = outputOf(options, deps);
  const [{ requireEventType }, { readDataFile }, { sampleOf }] = await Promise.all([
    import("../events/catalog.js"),
    import("../events/overrides.js"),
    import("../events/sample.js"),
  ]);
  const event = requireEventType(options.event);
  const data = options.data === undefined ? undefined : await readDataFile(options.data, () => deps.stdin);
  const payload = sampleOf(event, { set: options.set ?? [], data });
  if (out.json) out.printJson(payload);
  else out.print(JSON.stringify(payload, null, 2));
}
