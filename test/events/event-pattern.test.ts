import { describe, expect, it } from "vitest";
import { eventPatternMatcher } from "../../src/events/event-pattern.js";

describe("eventPatternMatcher", () => {
  it("* matches any run of characters, dots included; commas separate alternatives; the rest is literal", () => {
    const draws = eventPatternMatcher("draw.*");
    expect(draws("draw.consumer.won")).toBe(true);
    expect(draws("draw.")).toBe(true);
    expect(draws("drawxconsumer")).toBe(false);
    expect(draws("order.created")).toBe(false);
    const some = eventPatternMatcher(" order.created , *.won");
    expect(["order.created", "draw.consumer.won", "order.completed"].map(some)).toEqual([true, true, false]);
    expect(eventPatternMatcher("order.(created)")("order.(created)")).toBe(true);
    expect(eventPatternMatcher("")("anything")).toBe(true);
  });
});
