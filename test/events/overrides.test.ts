import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applySetOverrides, mergeData, readDataFile } from "../../src/events/overrides.js";
import { buildSample, type WebhookPayload } from "../../src/events/sample.js";

function payload(): WebhookPayload {
  return {
    id: "whk_01JQ0000000000000000000000",
    type: "order.created",
    timestamp: "2025-03-14T15:09:26Z",
    organizationId: "org_01JQ0000000000000000000001",
    data: {
      orderId: "order_01JQ0000000000000000000002",
      amount: "149.99",
      position: 42,
      phone: null,
      isHighestBid: true,
      items: [{ productId: "prod_01JQ0000000000000000000003", quantity: 1 }],
      changedFields: ["fullName"],
    },
  };
}

const set = (...assignments: string[]) => applySetOverrides(payload(), assignments);

describe("applySetOverrides: paths", () => {
  it("sets a data field by data.path or by a path relative to data", () => {
    expect(set("data.position=5").data.position).toBe(5);
    expect(set("position=7").data.position).toBe(7);
  });

  it("sets envelope fields by their own names", () => {
    const p = set("type=draw.consumer.won", "organizationId=org_mine", "timestamp=2020-01-01T00:00:00Z");
    expect([p.type, p.organizationId, p.timestamp]).toEqual(["draw.consumer.won", "org_mine", "2020-01-01T00:00:00Z"]);
  });

  it("goes into arrays by index, and can append one past the end", () => {
    expect((set("data.items.0.quantity=2").data.items as Array<{ quantity: number }>)[0]!.quantity).toBe(2);
    expect(set("changedFields.1=email").data.changedFields).toEqual(["fullName", "email"]);
  });

  it("creates missing objects (and arrays before an index) along the way", () => {
    expect(set("data.metadata.source=cli").data.metadata).toEqual({ source: "cli" });
    expect(set("tags.0=vip").data.tags).toEqual(["vip"]);
  });

  it("applies in order, later wins, and never touches the input", () => {
    const input = payload();
    const p = applySetOverrides(input, ["position=1", "position=2"]);
    expect(p.data.position).toBe(2);
    expect(input.data.position).toBe(42);
  });

  it("replaces data wholesale with a JSON object", () => {
    expect(set('data={"position":1}').data).toEqual({ position: 1 });
  });
});

describe("applySetOverrides: value types", () => {
  it("types numbers, booleans, null, objects and arrays as JSON", () => {
    const p = set("a=5", "b=-1.5", "c=true", "d=false", "e=null", 'f={"x":[1]}', "g=[1,2]", "h=1e3");
    expect(p.data).toMatchObject({ a: 5, b: -1.5, c: true, d: false, e: null, f: { x: [1] }, g: [1, 2], h: 1000 });
  });

  it("keeps anything that is not JSON as text, including an empty value", () => {
    const p = set("a=hello world", "b=007", "c=", "d=a=b", "e={not json");
    expect(p.data).toMatchObject({ a: "hello world", b: "007", c: "", d: "a=b", e: "{not json" });
  });

  it("keeps an existing string field a string: money keeps its digits, ids their text", () => {
    const p = set("data.amount=10.00", "orderId=12345", "id=42", "data.items.0.productId=true");
    expect(p.data.amount).toBe("10.00");
    expect(p.data.orderId).toBe("12345");
    expect(p.id).toBe("42");
    expect((p.data.items as Array<{ productId: unknown }>)[0]!.productId).toBe("true");
  });

  it("reads a JSON-quoted value as the string inside the quotes, wherever it goes", () => {
    expect(set('position="5"').data.position).toBe("5");
    expect(set('amount="12.50"').data.amount).toBe("12.50");
  });

  it("types a value for a field that is null or a number by JSON", () => {
    expect(set("phone=5551234").data.phone).toBe(5551234);
    expect(set("phone=+1 555 1234").data.phone).toBe("+1 555 1234");
    expect(set("isHighestBid=false").data.isHighestBid).toBe(false);
  });
});

describe("applySetOverrides: bad syntax is a one-line usage error naming --set", () => {
  const cases: Array<[string, RegExp]> = [
    ["position", /^--set "position" is not path=value$/],
    ["=5", /^--set "=5" has no field path before =$/],
    [" =5", /has no field path/],
    ["data..position=5", /^--set "data\.\.position=5" has an empty part in its path$/],
    ["data.=5", /empty part/],
    ["__proto__.polluted=1", /cannot be set/],
    ["data.constructor.x=1", /cannot be set/],
    ["data.position.x=1", /^--set "data\.position\.x=1" cannot go inside data\.position: it is a number$/],
    ["data.items.5.quantity=1", /data\.items\.5 is out of range: data\.items has 1 item$/],
    ["data.items.first=1", /data\.items is a list: use an index, e.g\. data\.items\.0/],
    ["data=5", /must give data a JSON object/],
  ];
  it.each(cases)("%s", (assignment, message) => {
    let error: unknown;
    try {
      set(assignment);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ exitCode: 2, code: "invalid_set" });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("mergeData", () => {
  it("deep-merges a plain object into data; arrays are replaced, not merged", () => {
    const p = mergeData(payload(), { position: 3, items: [{ productId: "prod_x", quantity: 4 }], extra: { a: 1 } });
    expect(p.data.position).toBe(3);
    expect(p.data.items).toEqual([{ productId: "prod_x", quantity: 4 }]);
    expect(p.data.extra).toEqual({ a: 1 });
    expect(p.data.amount).toBe("149.99");
    expect(p.type).toBe("order.created");
  });

  it("merges an object with envelope keys into the envelope, its data deep into data", () => {
    const p = mergeData(payload(), { id: "whk_mine", data: { position: 9, metadata: { vip: true } } });
    expect(p.id).toBe("whk_mine");
    expect(p.data.position).toBe(9);
    expect(p.data.metadata).toEqual({ vip: true });
    expect(p.data.orderId).toBe("order_01JQ0000000000000000000002");
  });

  it("merges nested objects key by key", () => {
    const base = mergeData(payload(), { metadata: { a: 1, b: { c: 2 } } });
    expect(mergeData(base, { metadata: { b: { d: 3 } } }).data.metadata).toEqual({ a: 1, b: { c: 2, d: 3 } });
  });

  it("leaves its inputs alone and ignores __proto__", () => {
    const input = payload();
    const patch = JSON.parse('{"__proto__": {"polluted": 1}, "position": 1}') as Record<string, unknown>;
    const p = mergeData(input, patch);
    expect(p.data.position).toBe(1);
    expect(input.data.position).toBe(42);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects a non-object data key as a usage error", () => {
    expect(() => mergeData(payload(), { data: [1] })).toThrowError(
      expect.objectContaining({ exitCode: 2, message: '--data: "data" must be a JSON object' }),
    );
  });
});

describe("buildSample with --data and --set", () => {
  it("merges the file first, then applies --set on top", () => {
    const p = buildSample("draw.consumer.won", { data: { winnerPosition: 7, note: "x" }, set: ["data.winnerPosition=1"] });
    expect(p.data.winnerPosition).toBe(1);
    expect(p.data.note).toBe("x");
    expect(p.type).toBe("draw.consumer.won");
  });
});

describe("readDataFile", () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fanfare-events-"));
    mkdirSync(join(dir, "folder"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a JSON object", async () => {
    expect(await readDataFile(file("ok.json", '{"position": 5, "data": {"a": 1}}'), process.stdin)).toEqual({ position: 5, data: { a: 1 } });
  });

  const failures = async (path: string) => {
    try {
      await readDataFile(path, process.stdin);
    } catch (error) {
      return error as Error & { exitCode: number; code: string; hint?: string };
    }
    throw new Error("accepted");
  };

  it("names a missing file", async () => {
    const missing = join(dir, "nope.json");
    const error = await failures(missing);
    expect(error).toMatchObject({ exitCode: 2, code: "data_file_not_found", message: `--data file not found: ${missing}` });
    expect(error.hint).toMatch(/JSON file/);
  });

  it("names a directory", async () => {
    expect((await failures(join(dir, "folder"))).message).toMatch(/is a directory, not a file$/);
  });

  it("says bad JSON is bad JSON, on one line", async () => {
    const error = await failures(file("bad.json", "{position: 5,\n}"));
    expect(error).toMatchObject({ exitCode: 2, code: "invalid_data" });
    expect(error.message).toMatch(/^--data .*bad\.json is not valid JSON \(.+\)$/);
    expect(error.message).not.toContain("\n");
    expect((await failures(file("empty.json", ""))).message).toMatch(/is not valid JSON/);
  });

  it("says what it holds when it is not an object", async () => {
    expect((await failures(file("array.json", "[1,2]"))).message).toMatch(/must hold a JSON object, not an array$/);
    expect((await failures(file("null.json", "null"))).message).toMatch(/not null$/);
    expect((await failures(file("num.json", "5"))).message).toMatch(/not a number$/);
  });
});
