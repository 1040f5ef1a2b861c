import { describe, expect, it } from "vitest";
import { expectUsageError as usage } from "../helpers/errors.js";
import { looksLikeCi, parseHeadersFlag, parseTunnelChoice } from "../../src/listen/options.js";


describe("parseHeadersFlag", () => {
  it("reads K:V pairs, lower-cases names, keeps colons in values", () => {
    expect(parseHeadersFlag("Authorization: Bearer x, X-Env:dev,X-Url:http://a:1")).toEqual({
      authorization: "Bearer x",
      "x-env": "dev",
      "x-url": "http://a:1",
    });
    expect(parseHeadersFlag(undefined)).toEqual({});
    expect(parseHeadersFlag("a:1,,")).toEqual({ a: "1" });
  });

  it("keeps what the HTTP layer sends: Latin-1 text and inner tabs", () => {
    expect(parseHeadersFlag("X-City:Z\u00fcrich,X-T:a\tb")).toEqual({ "x-city": "Z\u00fcrich", "x-t": "a\tb" });
  });

  it.each([
    ["novalue", "is not Name:value"],
    [":v", "is not Name:value"],
    ["bad name:v", "is not a valid header name"],
    ["Content-Length:3", "cannot set content-length"],
    ["Transfer-Encoding:chunked", "cannot set transfer-encoding"],
    ["Expect:100-continue", "cannot set expect"],
    ["X-A:東京", "--headers value for x-a cannot be sent over HTTP (U+6771)"],
    ["X-A:a\x1bb", "--headers value for x-a cannot be sent over HTTP (U+001B)"],
    ["X-A:a\x7fb", "--headers value for x-a cannot be sent over HTTP (U+007F)"],
    ["X-A:a\rb", "--headers value for x-a cannot be sent over HTTP (U+000D)"],
    // Escaped where it is printed (Output), as every message is.
    ["X\x1b[2J:v", 'name "x\x1b[2j" is not a valid header name'],
  ])("rejects %j with exit 2", (input, message) => {
    expect(usage(() => parseHeadersFlag(input)).message).toContain(message);
  });
});

describe("parseTunnelChoice", () => {
  it("reads tunnel choices", () => {
    expect(parseTunnelChoice("none")).toBe("none");
    expect(parseTunnelChoice("cloudflared")).toBe("cloudflared");
    expect(usage(() => parseTunnelChoice("ngrok")).hint).toContain("--tunnel none");
  });
});

describe("looksLikeCi (a CI run gets lines, not the live view, even on a terminal)", () => {
  it.each([
    [{}, false],
    [{ CI: "true" }, true],
    [{ CI: "1" }, true],
    [{ CI: "" }, true],
    [{ CI: "false" }, false],
    [{ CI: "0" }, false],
    [{ CONTINUOUS_INTEGRATION: "yes" }, true],
    [{ CI_PIPELINE_ID: "7" }, true],
    [{ CI: "false", CI_PIPELINE_ID: "7" }, false],
  ] as Array<[NodeJS.ProcessEnv, boolean]>)("%j → %s", (env, expected) => {
    expect(looksLikeCi(env)).toBe(expected);
  });
});
