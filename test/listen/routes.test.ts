import { describe, expect, it } from "vitest";
import { describeRoute, eventMatcher, parseForwardFlag, routedEvents } from "../../src/listen/routes.js";

describe("parseForwardFlag", () => {
  it("reads a bare target as every event, through the one target parser", () => {
    expect(parseForwardFlag("3000")).toEqual({ pattern: null, url: new URL("http://localhost:3000/") });
    expect(parseForwardFlag("localhost:3000/hook?a=b")).toEqual({ pattern: null, url: new URL("http://localhost:3000/hook?a=b") });
    expect(parseForwardFlag("http://127.0.0.1:3000/x?y=1").pattern).toBeNull();
  });

  it("reads PATTERN=TARGET; `*=` is every event", () => {
    expect(parseForwardFlag("draw.*=localhost:3000/draws")).toEqual({ pattern: "draw.*", url: new URL("http://localhost:3000/draws") });
    expect(parseForwardFlag("draw.consumer.won=4000")).toEqual({ pattern: "draw.consumer.won", url: new URL("http://localhost:4000/") });
    expect(parseForwardFlag("*=4000").pattern).toBeNull();
  });

  it("refuses a pattern with no name and a bad target, as usage errors", () => {
    expect(() => parseForwardFlag("=3000")).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseForwardFlag("**=3000")).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining("no event pattern") }));
    expect(() => parseForwardFlag("draw.*=localhost:99999")).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining("invalid port") }));
  });
});

describe("eventMatcher", () => {
  it("matches `*` across dots, everything else literally", () => {
    const draws = eventMatcher("draw.*");
    expect(draws("draw.consumer.won")).toBe(true);
    expect(draws("draw.closed")).toBe(true);
    expect(draws("drawx.closed")).toBe(false);
    expect(draws("queue.draw.x")).toBe(false);
    expect(eventMatcher("*.won")("draw.consumer.won")).toBe(true);
    expect(eventMatcher("draw.consumer.won")("draw.consumer.won")).toBe(true);
    expect(eventMatcher("draw.consumer.won")("draw.consumer.wonder")).toBe(false);
    // Regex characters in a pattern are literal.
    expect(eventMatcher("a.b")("aXb")).toBe(false);
    expect(eventMatcher(null)("anything")).toBe(true);
  });
});

describe("routedEvents", () => {
  const all = ["draw.consumer.won", "draw.closed", "order.created"];
  it("narrows a temporary endpoint's events only when every route has a pattern", () => {
    expect(routedEvents([{ pattern: "draw.*", url: new URL("http://a/") }], all)).toEqual(["draw.consumer.won", "draw.closed"]);
    expect(routedEvents([{ pattern: "draw.*", url: new URL("http://a/") }, { pattern: null, url: new URL("http://b/") }], all)).toEqual(all);
  });

  it("describes a route for people", () => {
    expect(describeRoute({ pattern: "draw.*", url: "http://a/x" })).toBe("http://a/x (draw.*)");
    expect(describeRoute({ pattern: null, url: new URL("http://a/x") })).toBe("http://a/x");
  });
});
