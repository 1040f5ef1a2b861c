import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STATE_FILE } from "../../src/emulator/persist.js";
import { changeProblem, stateProblem } from "../../src/emulator/state-shape.js";
import { cleanEnv, runCli } from "../helpers/cli.js";

const endpoint = {
  id: "we_a",
  url: "https://example.com/h",
  events: ["order.created"],
  description: null,
  enabled: true,
  secret: "whsec_abcdefghij",
  createdAt: "2026-11-30T00:00:00.000Z",
  updatedAt: "2026-11-30T00:00:00.000Z",
};
const delivery = {
  id: "whk_1",
  endpointId: "we_a",
  eventType: "order.created",
  status: "succeeded",
  attempt: 1,
  createdAt: "2026-11-30T00:00:00.000Z",
  updatedAt: "2026-11-30T00:00:00.000Z",
  nextAttemptAt: null,
  request: { url: "https://example.com/h", headers: {}, body: "{}" },
  response: null,
  error: null,
  durationMs: 3,
  attempts: [],
};
const good = { version: 1, endpoints: [endpoint], deliveries: { we_a: [{ delivery, runStart: 0 }] } };

describe("stateProblem", () => {
  it("accepts a whole state", () => {
    expect(stateProblem(good)).toBeUndefined();
    expect(stateProblem({ version: 1, endpoints: [], deliveries: {} })).toBeUndefined();
  });

  it.each([
    [{ ...good, deliveries: { we_a: [null] } }, "deliveries.we_a[0] is not an object"],
    [{ ...good, endpoints: [null] }, "endpoints[0] is not an object"],
    [{ ...good, endpoints: [{ ...endpoint, events: "all" }] }, "endpoints[0] has no events list of strings"],
    [{ ...good, endpoints: [endpoint, endpoint] }, 'endpoints[1] repeats the id "we_a"'],
    [{ ...good, deliveries: { we_a: [{ delivery: { ...delivery, status: "lost" }, runStart: 0 }] } }, "deliveries.we_a[0] delivery has an unknown status"],
    [{ ...good, deliveries: { we_a: [{ delivery: { ...delivery, request: null }, runStart: 0 }] } }, "deliveries.we_a[0] delivery has no request with url, headers and body"],
    [{ ...good, deliveries: [] }, "deliveries is not an object"],
    [{ ...good, version: 2 }, "version is not 1"],
    [[], "the state is not an object"],
  ])("refuses %j: %s", (state, problem) => {
    expect(stateProblem(state)).toBe(problem);
  });
});

describe("changeProblem (one journal or snapshot record)", () => {
  it("accepts each kind of change, extra fields passing through", () => {
    expect(changeProblem({ op: "put", kind: "endpoint", value: { ...endpoint, scheme: "standard" } })).toBeUndefined();
    expect(changeProblem({ op: "put", kind: "delivery", value: { delivery: { ...delivery, extra: 1 }, runStart: 0 } })).toBeUndefined();
    expect(changeProblem({ op: "delete", kind: "endpoint", id: "we_a" })).toBeUndefined();
    expect(changeProblem({ op: "put", kind: "apiKey", value: "sk_test_x" })).toBeUndefined();
  });

  it.each([
    [null, "not an object"],
    [{ op: "put", kind: "endpoint", value: null }, "endpoint record: is not an object"],
    [{ op: "put", kind: "delivery", value: { delivery: { ...delivery, attempt: "1" }, runStart: 0 } }, "delivery record: delivery has no attempt number"],
    [{ op: "delete", kind: "endpoint" }, "endpoint deletion: has no id string"],
    [{ op: "put", kind: "apiKey", value: "" }, "API key record: has no key string"],
    [{ op: "put", kind: "table", value: {} }, 'not a known change (op "put", kind "table")'],
  ])("refuses %j: %s", (change, problem) => {
    expect(changeProblem(change)).toBe(problem);
  });
});

describe("an emulator given a state it cannot use", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fanfare-state-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const [what, state] of [
    ["a null delivery", { ...good, deliveries: { we_a: [null] } }],
    ["a null endpoint", { ...good, endpoints: [null] }],
  ] as const) {
    it(`refuses to start (exit 2, naming the file and the bad value) with ${what}, and leaves the file as it was`, async () => {
      const text = JSON.stringify(state);
      writeFileSync(join(dir, STATE_FILE), text);
      const r = await runCli(["webhooks", "emulator", "--port", "0", "--data-dir", dir], { env: cleanEnv() });
      expect(r.code).toBe(2);
      expect(r.stdout).not.toMatch(/admin API on/);
      expect(r.stderr).toContain(join(dir, STATE_FILE));
      expect(r.stderr).toMatch(/cannot be used \((deliveries\.we_a\[0\]|endpoints\[0\]) is not an object\)/);
      expect(readFileSync(join(dir, STATE_FILE), "utf8")).toBe(text);
    });
  }
});
