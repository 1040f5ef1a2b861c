import { describe, expect, it } from "vitest";
import { escapeControl, safeJson } from "../../src/terminal/escape.js";

/** What must never reach a terminal from outside: ESC, BEL, CSI as one code point, CR. */
const DANGEROUS = /[\u001b\u0007\u009b\r]/;

describe("escapeControl", () => {
  it.each([
    ["order.created", "order.created"],
    ["x\u001b[2J", "x\\x1b[2J"],
    ["a\u001b]0;PWNED\u0007b", "a\\x1b]0;PWNED\\x07b"],
    ["order.created\r\nFAKE <-- [200] forged", "order.created\\r\\nFAKE <-- [200] forged"],
    ["\u009b31m", "\\x9b31m"],
    ["del\u007f", "del\\x7f"],
    ["tab\there", "tab\\there"],
    ["lone \ud800 surrogate", "lone \\ud800 surrogate"],
    ["lone \udc00 low", "lone \\udc00 low"],
    ["emoji 🎉 and ünïcode stay", "emoji 🎉 and ünïcode stay"],
  ])("%j → %j", (input, shown) => {
    expect(escapeControl(input)).toBe(shown);
    expect(escapeControl(input)).not.toMatch(DANGEROUS);
  });

  it("keeps line feeds when asked (a body over several lines), but never CR or ESC", () => {
    expect(escapeControl('{\n  "a": "\u001b[2J\r"\n}', { newlines: true })).toBe('{\n  "a": "\\x1b[2J\\r"\n}');
  });

  it("returns the same string when there is nothing to escape", () => {
    const text = "plain text";
    expect(escapeControl(text)).toBe(text);
  });
});

describe("safeJson", () => {
  it("escapes DEL and C1 controls, which JSON.stringify leaves, and still parses to the same value", () => {
    const value = { type: "order\u009b2J\u007f", id: "x\u001b" };
    const text = safeJson(value);
    expect(text).not.toMatch(DANGEROUS);
    expect(text).not.toMatch(/[\u007f-\u009f]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("is JSON.stringify for everything else", () => {
    expect(safeJson({ a: [1, "two", null] })).toBe(JSON.stringify({ a: [1, "two", null] }));
  });
});
