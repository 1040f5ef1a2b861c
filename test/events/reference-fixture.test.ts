import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { extractReferencePayloads, specText } from "./spec-docs.js";

const FIXTURE = join(ROOT, "test", "fixtures", "events-reference.json");
const reference = specText("003");

describe("test/fixtures/events-reference.json", () => {
  it("holds the 21 payloads of the events reference, each typed as its name", () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, { type: string }>;
    expect(Object.keys(fixture)).toHaveLength(21);
    for (const [name, payload] of Object.entries(fixture)) expect(payload.type).toBe(name);
  });

  it.skipIf(reference === undefined)("equals what ../shared/spec/003_*.txt holds today", () => {
    const extracted = extractReferencePayloads(reference!);
    if (process.env.UPDATE_REFERENCE_FIXTURE === "1") {
      writeFileSync(FIXTURE, JSON.stringify(extracted, null, 2) + "\n");
    }
    expect(JSON.parse(readFileSync(FIXTURE, "utf8"))).toEqual(extracted);
  });
});
