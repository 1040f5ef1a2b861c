import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import type { GlobalOptions } from "../config/globals.js";
import { usageError } from "../errors.js";
import { escapeControl } from "../terminal/escape.js";
import { fileErrorReason } from "../terminal/input.js";
import { type CommandContext, examples, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

interface TypesOptions {
  format?: string;
  out?: string;
}

const FORMATS = ["ts", "json-schema"] as const;
type TypesFormat = (typeof FORMATS)[number];

export function registerTypes(parent: Command, ctx: CommandContext): void {
  parent
    .command("types")
    .description("print TypeScript types (or JSON Schemas) of every event payload, generated from the catalog")
    .option("--format <format>", "ts: TypeScript declarations | json-schema: JSON Schema draft 2020-12 (default: ts)")
    .option("--out <file>", "write to this file instead of stdout")
    .addHelpText(
      "after",
      "\nTypeScript: one interface per event (DrawConsumerWonEvent, its data DrawConsumerWonData) and the\n" +
        "union FanfareWebhookEvent, discriminated by `type`. JSON Schema: one schema per event under\n" +
        '$defs["<event>"], each with its own $id; the document accepts any event. Money amounts are\n' +
        'decimal strings ("149.99"), ids and timestamps strings, as in every delivery.\n' +
        examples([
          ["fanfare webhooks types --out src/fanfare-webhooks.ts", 'then: import type { FanfareWebhookEvent } from "./fanfare-webhooks"'],
          ["fanfare webhooks types --format json-schema --out fanfare-webhooks.schema.json", "schemas for other languages"],
          [
            `fanfare webhooks types --format json-schema | jq '."$defs"."draw.consumer.won"'`,
            "one event's schema, usable alone",
          ],
        ]),
    )
    .action(runWith(ctx, printTypes));
}

function parseFormat(value: string | undefined): TypesFormat {
  const format = value ?? "ts";
  if ((FORMATS as readonly string[]).includes(format)) return format as TypesFormat;
  throw usageError(`unknown format "${format}"`, "use --format ts or --format json-schema", "bad_flag");
}

export async function printTypes(options: GlobalOptions & TypesOptions, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const format = parseFormat(options.format);
  const { eventShapes } = await import("../events/shape.js");
  const shapes = eventShapes();
  let text: string;
  if (format === "ts") {
    const { renderTypeScript } = await import("../events/types-typescript.js");
    text = renderTypeScript(shapes, packageJson.version);
  } else {
    const { renderJsonSchema } = await import("../events/types-json-schema.js");
    text = JSON.stringify(renderJsonSchema(shapes, packageJson.version), null, 2) + "\n";
  }
  if (options.out === undefined) {
    out.stdout.write(text);
    return 0;
  }
  try {
    await writeFile(options.out, text);
  } catch (error) {
    throw usageError(
      `cannot write --out "${options.out}": ${fileErrorReason(error)}`,
      "pass --out a file in a folder that exists and that you can write to",
      "out_unwritable",
    );
  }
  out.info(`wrote ${format === "ts" ? "TypeScript types" : "JSON Schemas"} of ${shapes.length} events to ${escapeControl(options.out)}`);
  return 0;
}
