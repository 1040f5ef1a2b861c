import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/events/catalog.js";
import { typeNames } from "../../src/events/shape.js";
import { cleanEnv, runCli, tempConfigDir, type CliResult } from "../helpers/cli.js";

// `webhooks types` is judged by the tools handler authors use: tsc --strict for the TypeScript
// declarations, ajv (draft 2020-12) for the JSON Schemas, both fed every event's `sample --json`.

const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
/** Every event's `sample --json` output, as printed. */
const samples = new Map<string, string>();

function expectOk(r: CliResult) {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
}

beforeAll(async () => {
  config = tempConfigDir();
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir });
  for (const event of EVENT_TYPES) {
    const r = await runCli(["webhooks", "sample", event.name, "--json"], { env });
    expectOk(r);
    samples.set(event.name, r.stdout.trim());
  }
});

afterAll(() => config?.cleanup());

/**
 * tsc --strict over `files` in the temp folder; the exit code and what it printed. It runs in the temp
 * folder, as a handler author's project would: from this repository's root tsc would also load every
 * node_modules/@types package (Node's, React's), four fifths of its time. --skipLibCheck leaves out
 * TypeScript's own lib .d.ts files only: the generated file and the samples are .ts, checked in full.
 */
function tsc(...files: string[]): { code: number | null; output: string } {
  const r = spawnSync(
    process.execPath,
    [TSC, "--strict", "--skipLibCheck", "--noEmit", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler", ...files],
    { cwd: config.dir, encoding: "utf8", timeout: 120_000 },
  );
  return { code: r.status, output: r.stdout + r.stderr };
}

describe("webhooks types --format ts", () => {
  /** tsc's errors per checked file, from one run over all of them (tsc is slow to start). */
  let errors: Map<string, string[]>;
  let tscCode: number | null;
  let amountLine = 0;

  beforeAll(async () => {
    const r = await runCli(["webhooks", "types", "--out", join(config.dir, "fanfare-webhooks.ts")], { env });
    expectOk(r);
    expect(r.stderr).toMatch(/wrote TypeScript types of 52 events to .*fanfare-webhooks\.ts/);
    expect(r.stdout).toBe("");

    // Every sample, as a handler would hold it, and what a handler does with it: narrowing on
    // `type` reaches the event's own data.
    const lines = ['import type { FanfareWebhookEvent, OrderCreatedEvent } from "./fanfare-webhooks";', ""];
    let i = 0;
    for (const [, json] of samples) lines.push(`export const event${i++}: FanfareWebhookEvent = ${json};`);
    lines.push(
      "",
      "export function amountOf(event: FanfareWebhookEvent): string | undefined {",
      '  if (event.type === "order.created") return event.data.amount + " " + event.data.currencyCode;',
      "  return undefined;",
      "}",
      `export const order: OrderCreatedEvent = ${samples.get("order.created")};`,
    );
    writeFileSync(join(config.dir, "samples-check.ts"), lines.join("\n"));

    // A number where the catalog has a money string.
    const order = JSON.parse(samples.get("order.created")!) as { data: { amount: string } };
    expect(order.data.amount).toMatch(/^\d+\.\d{2}$/);
    const asNumber = JSON.stringify({ ...order, data: { ...order.data, amount: Number(order.data.amount) } }, null, 2);
    const money = ['import type { FanfareWebhookEvent } from "./fanfare-webhooks";', `export const event: FanfareWebhookEvent = ${asNumber};`].join("\n");
    writeFileSync(join(config.dir, "money-check.ts"), money);
    amountLine = money.split("\n").findIndex((l) => l.includes('"amount"')) + 1;

    // A type name the catalog does not have.
    const wrongType = samples.get("order.created")!.replace('"order.created"', '"order.made"');
    writeFileSync(
      join(config.dir, "type-check.ts"),
      `import type { FanfareWebhookEvent } from "./fanfare-webhooks";\nexport const e: FanfareWebhookEvent = ${wrongType};`,
    );

    const result = tsc("samples-check.ts", "money-check.ts", "type-check.ts");
    tscCode = result.code;
    errors = new Map();
    for (const line of result.output.split("\n")) {
      const file = /([\w-]+\.ts)\(\d+,\d+\): error/.exec(line)?.[1];
      if (file) errors.set(file, [...(errors.get(file) ?? []), line]);
    }
  }, 180_000);

  it("declares one interface per event with unique names, the union, and prints the same to stdout", async () => {
    const text = readFileSync(join(config.dir, "fanfare-webhooks.ts"), "utf8");
    const names = typeNames(EVENT_TYPES);
    expect(new Set(names.values()).size).toBe(EVENT_TYPES.length);
    for (const event of EVENT_TYPES) {
      expect(text).toContain(`export interface ${names.get(event.name)}Event {`);
      expect(text).toContain(`type: ${JSON.stringify(event.name)};`);
    }
    expect(names.get("queue.consumer.entered")).toBe("QueueConsumerEntered");
    expect(names.get("queue.consumer_entered")).toBe("QueueConsumerEnteredGuide");
    expect(text).toMatch(/export type FanfareWebhookEvent =/);
    const printed = await runCli(["webhooks", "types"], { env });
    expect(printed.stdout).toBe(text);
  });

  it("every event's sample --json type-checks against FanfareWebhookEvent under tsc --strict, and narrows by type", () => {
    expect(errors.get("samples-check.ts") ?? []).toEqual([]);
    expect(errors.get("fanfare-webhooks.ts") ?? []).toEqual([]);
  });

  it("refuses a number where the catalog has a money string, and a type name it does not have", () => {
    expect(tscCode).not.toBe(0);
    expect(errors.get("money-check.ts")).toEqual([
      expect.stringMatching(new RegExp(`money-check\\.ts\\(${amountLine},\\d+\\): error TS2322: Type 'number' is not assignable to type 'string'`)),
    ]);
    expect(errors.get("type-check.ts")?.join("\n")).toMatch(/"order\.made"/);
  });
});

describe("webhooks types --format json-schema", () => {
  let schema: Record<string, any>;
  beforeAll(async () => {
    const r = await runCli(["webhooks", "types", "--format", "json-schema"], { env });
    expectOk(r);
    schema = JSON.parse(r.stdout);
  });

  it("is one draft 2020-12 schema per event, each usable alone, in a document that ajv compiles strictly", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(schema.$defs)).toEqual(EVENT_TYPES.map((e) => e.name));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const any = ajv.compile(schema);
    // One instance for the cut-out schemas, each removed before the next is compiled, so each is
    // compiled with nothing else in it: alone, as a fresh Ajv would, without compiling the draft
    // 2020-12 meta-schema 52 times over (most of this test's time).
    const aloneAjv = new Ajv2020({ strict: true });
    for (const event of EVENT_TYPES) {
      const sample = JSON.parse(samples.get(event.name)!);
      const one = ajv.getSchema(schema.$defs[event.name].$id)!;
      expect([event.name, one(sample), one.errors ?? null]).toEqual([event.name, true, null]);
      expect([event.name, any(sample)]).toEqual([event.name, true]);
      // Cut out of the document, an event's schema works on its own.
      const cut = structuredClone(schema.$defs[event.name]);
      const alone = aloneAjv.compile(cut);
      expect([event.name, alone(sample)]).toEqual([event.name, true]);
      aloneAjv.removeSchema(cut.$id);
    }
  });

  it("refuses a number for a money string, a missing field and another event's type", () => {
    const ajv = new Ajv2020({ strict: true });
    ajv.compile(schema);
    const orderCreated = ajv.getSchema(schema.$defs["order.created"].$id)!;
    const order = JSON.parse(samples.get("order.created")!);
    expect(orderCreated({ ...order, data: { ...order.data, amount: 149.99 } })).toBe(false);
    expect(orderCreated.errors?.[0]).toMatchObject({ instancePath: "/data/amount", keyword: "type" });
    const { consumerId: _gone, ...data } = order.data;
    expect(orderCreated({ ...order, data })).toBe(false);
    expect(orderCreated({ ...order, type: "order.completed" })).toBe(false);
  });

  it("writes --out, and a folder that does not exist is exit 2", async () => {
    const file = join(config.dir, "fanfare-webhooks.schema.json");
    expectOk(await runCli(["webhooks", "types", "--format", "json-schema", "--out", file], { env }));
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(schema);
    const missing = await runCli(["webhooks", "types", "--out", join(config.dir, "no", "such", "dir.ts")], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: cannot write --out ".*dir\.ts": no such file or folder\n/);
    const format = await runCli(["webhooks", "types", "--format", "yaml"], { env });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format ts or --format json-schema/);
  });
});
