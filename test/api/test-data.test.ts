import { describe, expect, it } from "vitest";
import { buildTestData } from "../../src/api/test-data.js";
import { expectUsageError as usage } from "../helpers/errors.js";


describe("buildTestData", () => {
  it("is undefined when nothing is given (the server's sample is used as is)", () => {
    expect(buildTestData(undefined, [])).toBeUndefined();
  });

  it("types --set values like JSON, nests dotted paths, accepts a data. prefix", () => {
    expect(
      buildTestData(undefined, ["position=5", "data.won=true", "consumer.email=a@b.c", "note=null", "tags=[1,2]", "amount=\"149.99\""]),
    ).toEqual({ position: 5, won: true, consumer: { email: "a@b.c" }, note: null, tags: [1, 2], amount: "149.99" });
  });

  it("applies --set on top of --data", () => {
    expect(buildTestData('{"position": 1, "consumer": {"id": "c_1"}}', ["position=2", "consumer.email=x"])).toEqual({
      position: 2,
      consumer: { id: "c_1", email: "x" },
    });
  });

  it("rejects bad input with one-line usage errors", () => {
    expect(usage(() => buildTestData("{nope", [], "--data d.json")).message).toMatch(/^--data d\.json is not valid JSON/);
    expect(usage(() => buildTestData("[1]", [])).message).toBe("--data must hold a JSON object");
    expect(usage(() => buildTestData(undefined, ["novalue"])).message).toBe('--set "novalue" is not key=value');
    expect(usage(() => buildTestData(undefined, ["a..b=1"])).message).toBe('--set "a..b=1" has an invalid path');
    expect(usage(() => buildTestData(undefined, ["__proto__.x=1"])).message).toMatch(/invalid path/);
  });
});
