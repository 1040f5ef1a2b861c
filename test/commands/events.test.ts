import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli, tempConfigDir, type CliResult } from "../helpers/cli.js";

let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  config = tempConfigDir();
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir });
});
afterAll(() => config.cleanup());

const webhooks = (...args: string[]) => runCli(["webhooks", ...args], { env });

/** A user mistake: exit 2, "error: …" and one hint line on stderr, nothing on stdout, no stack. */
function expectUsageError(result: CliResult, message: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(message);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe("fanfare webhooks events", () => {
  it("--json lists all 52 event types with name, category, status, description and what each mirrors", async () => {
    const r = await webhooks("events", "--json");
    expect(r.code, r.stderr).toBe(0);
    const events = JSON.parse(r.stdout) as Array<Record<string, string>>;
    expect(events).toHaveLength(52);
    expect(Object.keys(events[0]!)).toEqual(["name", "category", "status", "description", "mirrors"]);
    expect(events.find((e) => e.name === "queue.consumer_entered")!.mirrors).toBe("queue.consumer.entered");
    expect(events.find((e) => e.name === "queue.consumer.entered")!.mirrors).toBeNull();
    expect(events.filter((e) => e.status === "guide")).toHaveLength(19);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("prints a table and the count for people, without colour when piped", async () => {
    const r = await webhooks("events", "--status", "planned");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+CATEGORY\s+STATUS\s+DESCRIPTION\n/);
    expect(r.stdout).toMatch(/^order\.paid\s+order\s+planned\s+Order payment confirmed$/m);
    expect(r.stdout).toContain("12 of 52 event types: 0 reference, 0 guide, 12 planned");
    expect(r.stdout).not.toMatch(/\u001B\[/);
  });

  it("filters by --category with --json", async () => {
    const r = await webhooks("events", "--category", "draw,auction", "--json");
    const names = (JSON.parse(r.stdout) as Array<{ name: string }>).map((e) => e.name);
    expect(names).toHaveLength(16);
    expect(names.every((n) => n.startsWith("draw.") || n.startsWith("auction."))).toBe(true);
  });

  it("rejects an unknown --status with exit 2", async () => {
    expectUsageError(await webhooks("events", "--status", "beta"), /^error: unknown --status "beta"$/);
  });

  it("rejects an unknown --category with exit 2", async () => {
    expectUsageError(await webhooks("events", "--category", "payments"), /^error: unknown --category "payments"$/);
  });

  it("has help with examples", async () => {
    const r = await webhooks("events", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+# .+\n\s+\$ fanfare webhooks events/);
  });
});

describe("fanfare webhooks sample", () => {
  it("--json --set prints one compact line with the override applied", async () => {
    const r = await webhooks("sample", "draw.consumer.won", "--json", "--set", "data.winnerPosition=1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    const payload = JSON.parse(r.stdout);
    expect(payload.type).toBe("draw.consumer.won");
    expect(payload.data.winnerPosition).toBe(1);
    expect(payload.id).toMatch(/^whk_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(Math.abs(Date.parse(payload.timestamp) - Date.now())).toBeLessThan(60_000);
  });

  it("pretty-prints for people and keeps money a string", async () => {
    const r = await webhooks("sample", "order.created", "--set", "data.amount=10.00", "--set", "currencyCode=EUR");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\{\n {2}"id": "whk_/);
    expect(r.stdout).toContain('    "amount": "10.00",\n    "currencyCode": "EUR",');
  });

  it("merges --data FILE, then --set", async () => {
    const file = join(config.dir, "data.json");
    writeFileSync(file, JSON.stringify({ winnerPosition: 9, note: "from file" }));
    const r = await webhooks("sample", "draw.consumer.won", "--data", file, "--set", "note=from flag", "--json");
    expect(r.code, r.stderr).toBe(0);
    const payload = JSON.parse(r.stdout);
    expect(payload.data).toMatchObject({ winnerPosition: 9, note: "from flag" });
  });

  it("reads --data - from stdin", async () => {
    const r = await runCli(["webhooks", "sample", "order.paid", "--data", "-", "--json"], {
      env,
      input: '{"data": {"amount": "5.00"}, "organizationId": "org_test"}',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ organizationId: "org_test", data: { amount: "5.00" } });
  });

  it("rejects an unknown event with exit 2 and the closest name", async () => {
    const r = await webhooks("sample", "draw.consumer.wn");
    expectUsageError(r, /^error: unknown event "draw\.consumer\.wn"$/);
    expect(r.stderr).toBe(
      'error: unknown event "draw.consumer.wn"\nhint: did you mean draw.consumer.won? Run "fanfare webhooks events" to list all 52.\n',
    );
  });

  it("with --json, reports the unknown event as JSON on stderr", async () => {
    const r = await webhooks("sample", "draw.consumer.wn", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: "unknown_event", exitCode: 2 } });
  });

  it("rejects a --set without = with exit 2", async () => {
    expectUsageError(await webhooks("sample", "order.created", "--set", "amount"), /^error: --set "amount" is not path=value$/);
  });

  it("rejects a --set into a number with exit 2", async () => {
    expectUsageError(
      await webhooks("sample", "draw.consumer.won", "--set", "winnerPosition.x=1"),
      /^error: --set "winnerPosition\.x=1" cannot go inside data\.winnerPosition: it is a number$/,
    );
  });

  it("rejects a missing --data file with exit 2", async () => {
    const missing = join(config.dir, "missing.json");
    expectUsageError(await webhooks("sample", "order.created", "--data", missing), /^error: cannot read the --data file ".*missing\.json": no such file or folder$/);
  });

  it("rejects a --data file that is not JSON with exit 2", async () => {
    const file = join(config.dir, "bad.json");
    writeFileSync(file, "not json");
    expectUsageError(await webhooks("sample", "order.created", "--data", file), /^error: --data .*bad\.json is not valid JSON/);
  });

  it("says the event is missing, with exit 2", async () => {
    const r = await webhooks("sample");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'event'/);
  });

  it("has help with examples", async () => {
    const r = await webhooks("sample", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+# .+\n\s+\$ fanfare webhooks sample draw\.consumer\.won/);
  });
});
