import { describe, expect, it } from "vitest";
import { expectUsageError as usage } from "../helpers/errors.js";
import { looksLikeCi, parseForwardTarget, parseHeadersFlag, parseTunnelChoice } from "../../src/listen/options.js";


describe("parseForwardTarget", () => {
  it.each([
    ["3000", "http://localhost:3000/"],
    [":3000", "http://localhost:3000/"],
    [":3000/hook", "http://localhost:3000/hook"],
    ["3000/webhooks", "http://localhost:3000/webhooks"],
    ["localhost:3000", "http://localhost:3000/"],
    ["localhost:3000/webhooks", "http://localhost:3000/webhooks"],
    ["127.0.0.1:8080/a/b?x=1", "http://127.0.0.1:8080/a/b?x=1"],
    ["[::1]:3000/h", "http://[::1]:3000/h"],
    ["http://localhost:3000/webhooks", "http://localhost:3000/webhooks"],
    ["https://app.test/hooks", "https://app.test/hooks"],
    ["  localhost:3000  ", "http://localhost:3000/"],
    ["myapp.local", "http://myapp.local/"],
  ])("%s → %s", (input, expected) => {
    expect(parseForwardTarget(input).href).toBe(expected);
  });

  it.each([
    ["", "--forward is empty"],
    ["ftp://host/x", "is not an http(s) address"],
    ["localhost:99999", "is not a host:port or URL"],
    ["localhost:0", "has an invalid port"],
    ["localhost:/x", "has an invalid port"],
    ["http://user:pw@localhost:3000/", "carries credentials"],
    ["http://", "is not a host:port or URL"],
    ["exa mple:3000", "is not a host:port or URL"],
  ])("rejects %j with exit 2", (input, message) => {
    const error = usage(() => parseForwardTarget(input));
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });
});

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

  it.each([
    ["novalue", "is not Name:value"],
    [":v", "is not Name:value"],
    ["bad name:v", "is not a valid header name"],
    ["Content-Length:3", "cannot set content-length"],
    ["Transfer-Encoding:chunked", "cannot set transfer-encoding"],
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
