import { describe, expect, it } from "vitest";
import { parseTargetUrl } from "../../src/delivery/target-url.js";
import { expectUsageError as usage } from "../helpers/errors.js";

describe("parseTargetUrl", () => {
  it.each([
    ["3000", "http://localhost:3000/"],
    [":3000", "http://localhost:3000/"],
    ["3000/hook", "http://localhost:3000/hook"],
    [":3000/hook", "http://localhost:3000/hook"],
    ["3000?x=1", "http://localhost:3000/?x=1"],
    ["localhost:3000", "http://localhost:3000/"],
    ["localhost:3000/hook", "http://localhost:3000/hook"],
    ["127.0.0.1:3000", "http://127.0.0.1:3000/"],
    ["127.0.0.1:8080/a/b?x=1", "http://127.0.0.1:8080/a/b?x=1"],
    ["[::1]:3000", "http://[::1]:3000/"],
    ["[::1]:3000/h", "http://[::1]:3000/h"],
    ["myapp.local", "http://myapp.local/"],
    ["http://localhost:3000/webhooks", "http://localhost:3000/webhooks"],
    ["http://127.0.0.1:3000/webhooks?x=1&y=2", "http://127.0.0.1:3000/webhooks?x=1&y=2"],
    ["https://app.test/hooks?token=abc", "https://app.test/hooks?token=abc"],
    ["HTTPS://App.Test/Hooks", "https://app.test/Hooks"],
    ["  localhost:3000  ", "http://localhost:3000/"],
  ])("%s → %s", (input, expected) => {
    expect(parseTargetUrl(input, "--forward-to").href).toBe(expected);
  });

  it("never reads a bare number as an IPv4 address", () => {
    for (const input of ["3000", "80", "1", "65535", "3000/hook"]) {
      expect(parseTargetUrl(input, "--forward-to").hostname).toBe("localhost");
    }
  });

  it.each([
    ["", "--forward-to is empty"],
    ["   ", "--forward-to is empty"],
    ["0", '--forward-to "0" has an invalid port'],
    ["70000", '--forward-to "70000" has an invalid port'],
    ["-5", '--forward-to "-5" has an invalid port'],
    ["+3000/hook", '--forward-to "+3000/hook" has an invalid port'],
    [":0", '--forward-to ":0" has an invalid port'],
    [":", '--forward-to ":" has an invalid port'],
    ["localhost:99999", '--forward-to "localhost:99999" has an invalid port'],
    ["localhost:0", '--forward-to "localhost:0" has an invalid port'],
    ["localhost:/x", '--forward-to "localhost:/x" has an invalid port'],
    ["localhost:http", '--forward-to "localhost:http" has an invalid port'],
    ["http://[::1]:123456/", '--forward-to "http://[::1]:123456/" has an invalid port'],
    ["ftp://host/x", '--forward-to "ftp://host/x" is not an http(s) URL'],
    ["ws://localhost:3000", '--forward-to "ws://localhost:3000" is not an http(s) URL'],
    ["file:///etc/passwd", '--forward-to "file:///etc/passwd" is not an http(s) URL'],
    ["exa mple:3000", '--forward-to "exa mple:3000" contains a space'],
    ["localhost:3000/my hook", '--forward-to "localhost:3000/my hook" contains a space'],
    ["http://", '--forward-to "http://" is not a port, host:port or URL'],
    ["%%%", '--forward-to "%%%" is not a port, host:port or URL'],
    ["::1", '--forward-to "::1" has an invalid port'],
    ["http://exa<mple/", '--forward-to "http://exa<mple/" is not a port, host:port or URL'],
    ["http://3000/", '--forward-to "http://3000/" has a number for a host (3000 would be read as an IP address)'],
    ["3000:4000", '--forward-to "3000:4000" has a number for a host (3000 would be read as an IP address)'],
    ["http://user:pw@localhost:3000/", '--forward-to "http://user:pw@localhost:3000/" carries credentials'],
  ])("rejects %j with exit 2: %s", (input, message) => {
    const error = usage(() => parseTargetUrl(input, "--forward-to"));
    expect(error.message).toBe(message);
    expect(error.code).toBe("invalid_target");
    expect(error.hint).toBeTruthy();
  });

  it("names the flag it parses in messages and hints", () => {
    const error = usage(() => parseTargetUrl("ftp://x", "--forward"));
    expect(error.message).toBe('--forward "ftp://x" is not an http(s) URL');
    expect(error.hint).toContain("--forward localhost:3000/webhooks");
    expect(usage(() => parseTargetUrl("3000:1", "--forward")).hint).toBe("for a port on this machine, write --forward localhost:3000");
  });
});
