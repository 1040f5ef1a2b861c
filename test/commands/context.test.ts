import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { commandContext, parseIntFlag, runWith } from "../../src/commands/context.js";
import { createDeps } from "../../src/commands/deps.js";
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

describe("runWith", () => {
  it("hands the run function its arguments by name, its flags and the global flags, and keeps its exit code", async () => {
    const ctx = commandContext(createDeps({ env: {} }));
    const seen: unknown[] = [];
    const program = new Command("fanfare").exitOverride().option("--json");
    program
      .command("get")
      .argument("<endpoint-id>")
      .argument("[event...]")
      .option("--limit <n>")
      .action(
        runWith(ctx, (options: Record<string, unknown>, deps) => {
          seen.push(options, deps);
          return 3;
        }),
      );
    await program.parseAsync(["node", "fanfare", "get", "we_1", "a.b", "c.d", "--limit", "5", "--json"]);
    expect(seen[0]).toEqual({ endpointId: "we_1", event: ["a.b", "c.d"], limit: "5", json: true });
    expect(seen[1]).toBe(ctx.deps);
    expect(ctx.exitCode).toBe(3);
  });
});
