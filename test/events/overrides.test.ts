import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { requireEventType } from "../../src/events/catalog.js";
import { applySetOverrides, dataChanges, mergeData, readDataFile } from "../../src/events/overrides.js";
import { buildSample, sampleOf, testRouteData, type WebhookPayload } from "../../src/events/sample.js";

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

  it("says how to send a number it refuses as a string, and takes the quoted form", () => {
    expect(() => set("data.newn=1e999")).toThrow(expect.objectContaining({ hint: `quote it to send it as a string: --set 'data.newn="1e999"'` }));
    expect(set('data.newn="1e999"').data.newn).toBe("1e999");
    // Inside an object, quoting the whole value would make it text: the hint says to quote the number.
    expect(() => set('data={"n":1e999}')).toThrow(expect.objectContaining({ hint: "write the number inside in quotes to send it as a string" }));
    expect(set("data.big=9007199254740991").data.big).toBe(9007199254740991);
    // Long digits in a string are text, not a number: nothing to refuse.
    expect(set('data.obj={"s":"12345678901234567890"}').data.obj).toEqual({ s: "12345678901234567890" });
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
    // Numbers the payload would carry as something else than typed (null, 1e+23): refused.
    ["data.newn=1e999", /^--set "data\.newn=1e999" holds a number too large for JSON$/],
    ['data.obj={"a":[-1e400]}', /holds a number too large for JSON/],
    ['data.obj={"n":99999999999999999999999}', /holds a whole number with more digits than a number keeps exactly$/],
    ["data.quantity=99999999999999999999999", /holds a whole number with more digits than a number keeps exactly \(it would be sent as 1e\+23\)$/],
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
    expect(await readDataFile(file("ok.json", '{"position": 5, "data": {"a": 1}}'), noStdin)).toEqual({ position: 5, data: { a: 1 } });
  });

  it("reads - from the stdin it is given", async () => {
    expect(await readDataFile("-", () => Readable.from(['{"position": ', "5}"]))).toEqual({ position: 5 });
    expect((await failures("-", Readable.from(["[1]"]))).message).toBe("--data - (stdin) must hold a JSON object, not an array");
  });

  const noStdin = () => Readable.from([]);
  const failures = async (path: string, stdin: NodeJS.ReadableStream = noStdin()) => {
    try {
      await readDataFile(path, () => stdin);
    } catch (error) {
      return error as Error & { exitCode: number; code: string; hint?: string };
    }
    throw new Error("accepted");
  };

  it("names a missing file", async () => {
    const missing = join(dir, "nope.json");
    const error = await failures(missing);
    expect(error).toMatchObject({ exitCode: 2, code: "invalid_data", message: `cannot read the --data file "${missing}": no such file or folder` });
    expect(error.hint).toMatch(/JSON file/);
  });

  it("names a directory", async () => {
    expect((await failures(join(dir, "folder"))).message).toMatch(/^cannot read the --data file ".*folder": it is a directory$/);
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

describe("testRouteData (endpoints test, trigger --endpoint): the same rules as trigger and sample", () => {
  const order = requireEventType("order.created");

  it("is undefined when nothing is overridden, so the platform's sample goes as it is", () => {
    expect(testRouteData(order, {})).toBeUndefined();
    expect(testRouteData(order, { set: [] })).toBeUndefined();
  });

  it("sets array elements by index and keeps money a decimal string (regression)", () => {
    const data = testRouteData(order, { set: ["data.items.0.quantity=2", "data.amount=10.00"] })!;
    expect(Array.isArray(data.items)).toBe(true);
    expect((data.items as Array<{ quantity: unknown }>)[0]!.quantity).toBe(2);
    expect(data.amount).toBe("10.00");
  });

  it("merged into the platform's own sample, gives what trigger sends with the same flags", () => {
    const set = ["data.items.0.quantity=2", "data.amount=10.00", "position=3", "note=hello", 'extra={"a":[1]}', "flag=true"];
    const file = { currencyCode: "EUR", metadata: { source: "cli" } };
    const platform = sampleOf(order);
    const delivered = mergeData(platform, { data: testRouteData(order, { set, data: file })! }).data;
    const triggered = sampleOf(order, { set, data: file }).data;
    // Ids and timestamps are fresh per sample; everything else, types included, matches.
    const fresh = (data: Record<string, unknown>) =>
      JSON.parse(
        JSON.stringify(data, (_key, value: unknown) =>
          typeof value === "string" && (/^[a-z]+_[0-9A-Z]{26}$/.test(value) || /^\d{4}-\d\d-\d\dT/.test(value)) ? "…" : value,
        ),
      ) as Record<string, unknown>;
    expect(fresh(delivered)).toEqual(fresh(triggered));
    expect((delivered.items as Array<{ quantity: unknown }>)[0]!.quantity).toBe(2);
    expect(delivered.amount).toBe("10.00");
    expect(delivered.note).toBe("hello");
    expect(delivered.extra).toEqual({ a: [1] });
    expect(delivered.flag).toBe(true);
  });

  it("sends only what changed, so the platform keeps its own ids", () => {
    const data = testRouteData(order, { set: ["data.amount=10.00"] })!;
    expect(data).toEqual({ amount: "10.00" });
  });

  it("refuses envelope fields, which the platform sets, before anything is sent", () => {
    expect(() => testRouteData(order, { set: ["id=whk_x"] })).toThrowError(
      expect.objectContaining({ exitCode: 2, code: "invalid_set", message: "--set id=… would change the envelope, which the platform sets" }),
    );
    expect(() => testRouteData(order, { data: { type: "x", data: {} } })).toThrowError(
      expect.objectContaining({ exitCode: 2, code: "invalid_data", message: "--data may hold only data fields here, not type" }),
    );
    expect(testRouteData(order, { data: { data: { position: 1 } } })).toEqual({ position: 1 });
  });

  it("reports --set errors the way trigger does", () => {
    expect(() => testRouteData(order, { set: ["data.items.5.quantity=1"] })).toThrowError(/data\.items\.5 is out of range/);
  });
});

describe("dataChanges", () => {
  it("keeps changed leaves inside objects, whole arrays, new keys; drops what is equal", () => {
    const before = { a: 1, o: { x: 1, y: 2 }, list: [1, 2], same: [1], s: "t" };
    const after = { a: 1, o: { x: 1, y: 3 }, list: [1, 5], same: [1], s: "t", added: null };
    expect(dataChanges(before, after)).toEqual({ o: { y: 3 }, list: [1, 5], added: null });
  });
});
