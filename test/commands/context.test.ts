import { describe, expect, it } from "vitest";
import { parseIntFlag } from "../../src/commands/context.js";
import { expectUsageError } from "../helpers/errors.js";

describe("parseIntFlag", () => {
  it("reads whole numbers within the bounds (ports: 0 picks a free one)", () => {
    expect(parseIntFlag("--port", "0", 0, 65535)).toBe(0);
    expect(parseIntFlag("--port", " 8080 ", 0, 65535)).toBe(8080);
    expect(parseIntFlag("--count", "1", 1, 1000)).toBe(1);
  });

  it.each(["http", "70000", "-1", "1.5", "", "1e3"])("refuses %j as a port, naming the flag and the bounds", (value) => {
    const error = expectUsageError(() => parseIntFlag("--port", value, 0, 65535, "leave it out for a free port"));
    expect(error.message).toBe(`--port must be a whole number from 0 to 65535, not "${value}"`);
    expect(error.hint).toBe("leave it out for a free port");
  });

  it("suggests a value when no hint is given", () => {
    expect(expectUsageError(() => parseIntFlag("--count", "0", 1, 1000)).hint).toBe("e.g. --count 10");
  });
});
