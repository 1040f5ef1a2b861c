import { createHmac } from "node:crypto";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import { SIGNATURE_SCHEMES } from "../../src/signing/options.js";
import { BIN, ROOT, cleanEnv, emulatorEnv, runCli, startCli } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { signedWith } from "../helpers/signatures.js";
import { waitUntil } from "../helpers/wait.js";

const SECRET = "whsec_mcp_test_secret_0123456789";
const scope = testScope();

interface ToolResult {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

let stderr = "";
/** `fanfare mcp` as an agent runs it: the built binary, driven by the SDK's own client over stdio. */
async function connect(env: NodeJS.ProcessEnv): Promise<{ client: Client; call: (name: string, args?: Record<string, unknown>) => Promise<ToolResult> }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp", "--verbose"], env: env as Record<string, string>, stderr: "pipe" });
  stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: "fanfare-test", version: "1.0.0" });
  await client.connect(transport);
  scope.defer(() => client.close());
  // As an agent does: with the tools listed, the client checks every result against its output schema.
  await client.listTools();
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;
  return { client, call };
}

/** A receiver that checks every signature with SECRET, as a user's app would (401 when it does not verify). */
async function verifyingApp(status = 200) {
  return scope.target((req, res) => {
    res.writeHead(signedWith(SECRET, req) ? status : 401).end();
  });
}

const text = (result: ToolResult) => result.content.map((c) => c.text ?? "").join("\n");

afterEach(() => {
  stderr = "";
});

describe("fanfare mcp (SDK client over stdio)", () => {
  it("lists the five tools with JSON-schema'd inputs, the schemes as an enum", async () => {
    const { client } = await connect(cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["list_events", "sample_event", "trigger_event", "verify_signature", "list_deliveries"]);
    const trigger = tools.find((t) => t.name === "trigger_event")!;
    expect(trigger.inputSchema).toMatchObject({ type: "object", required: ["event"] });
    expect((trigger.inputSchema.properties as Record<string, { enum?: string[] }>).scheme!.enum).toEqual([...SIGNATURE_SCHEMES]);
    for (const tool of tools) expect(tool.outputSchema?.type).toBe("object");
  }, 30_000);

  it("list_events and sample_event answer with text and structured content", async () => {
    const { call } = await connect(cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() }));
    const events = await call("list_events");
    expect((events.structuredContent!.events as unknown[]).length).toBe(52);
    expect(text(events)).toContain("draw.consumer.won (reference)");

    const sample = await call("sample_event", { event: "draw.consumer.won", set: { "data.position": 5 } });
    const payload = sample.structuredContent!.payload as { type: string; id: string; data: { position: unknown } };
    expect(payload.type).toBe("draw.consumer.won");
    expect(payload.id).toMatch(/^whk_/);
    expect(payload.data.position).toBe(5);
    expect(JSON.parse(text(sample))).toEqual(payload);

    const unknown = await call("sample_event", { event: "draw.consumer.wonn" });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/unknown event "draw.consumer.wonn"[\s\S]*hint: did you mean draw.consumer.won/);
  }, 30_000);

  it("trigger_event signs a sample and POSTs it to a receiver that verifies; a failure is a result, not a crash", async () => {
    const { call } = await connect(cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() }));
    const app = await verifyingApp();
    const ok = await call("trigger_event", { event: "order.created", url: `${app.url}/webhooks`, secret: SECRET });
    expect(ok.isError, text(ok)).toBeFalsy();
    expect(ok.structuredContent).toMatchObject({ ok: true, delivery: { event: "order.created", status: 200, ok: true } });
    expect(app.received).toHaveLength(1);
    expect(app.received[0]!.url).toBe("/webhooks");
    expect(JSON.parse(app.received[0]!.body.toString()).id).toBe((ok.structuredContent!.delivery as { id: string }).id);

    // The wrong secret: the app refuses it with 401, and the tool says so.
    const refused = await call("trigger_event", { event: "order.created", url: app.url, secret: "whsec_wrong", scheme: "v1" });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({ ok: false, delivery: { status: 401 } });
    expect(text(refused)).toContain("got 401");
    // The CLI's hint names --verbose, a flag an agent cannot pass: the tool words it for the agent.
    expect(text(refused)).toMatch(/\nhint: a receiver must answer 2xx within 30 s: see the delivery's status/);
    expect(text(refused)).not.toContain("--verbose");

    // Nothing listening, then no target at all: still answers, and the server keeps serving.
    const down = await call("trigger_event", { event: "order.created", url: "127.0.0.1:9", secret: SECRET });
    expect(down.isError).toBe(true);
    expect(text(down)).toContain("connection refused");
    const nowhere = await call("trigger_event", { event: "order.created", secret: SECRET });
    expect(nowhere.isError).toBe(true);
    expect(text(nowhere)).toContain("no `fanfare webhooks listen` is running");
    expect((await call("list_events")).isError).toBeFalsy();
  }, 30_000);

  it("verify_signature: a good signature is valid, a tampered body is not (an answer, not an error)", async () => {
    const { call } = await connect(cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() }));
    const body = '{"id":"whk_1","type":"order.created"}';
    const ts = String(Math.floor(Date.now() / 1000));
    const hex = createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex");
    const good = await call("verify_signature", { secret: SECRET, payload: body, signature: `t=${ts},v1=${hex}` });
    expect(good.isError).toBeFalsy();
    expect(good.structuredContent).toMatchObject({ valid: true, scheme: "v1" });
    expect(text(good)).toBe("valid signature (v1)");

    const bad = await call("verify_signature", { secret: SECRET, payload: body + " ", signature: `t=${ts},v1=${hex}` });
    expect(bad.isError).toBeFalsy();
    expect(bad.structuredContent).toMatchObject({ valid: false, code: "mismatch" });
    expect(text(bad)).toMatch(/^invalid signature \(mismatch\)/);

    const sha = createHmac("sha256", SECRET).update(body).digest("hex");
    const plain = await call("verify_signature", { secret: SECRET, payload: body, signature: `sha256=${sha}`, scheme: "sha256" });
    expect(plain.structuredContent).toMatchObject({ valid: true, scheme: "sha256" });
  }, 30_000);

  it("list_deliveries reads the running listen's --log-file when no API is configured", async () => {
    const configDir = scope.configDir();
    const env = cleanEnv({ FANFARE_CONFIG_DIR: configDir });
    const app = await scope.target();
    const { call } = await connect(env);
    expect(text(await call("list_deliveries"))).toContain("no `fanfare webhooks listen` is running");

    const log = join(configDir, "deliveries.ndjson");
    await scope.listen(["--forward", `${app.url}/webhooks`, "--no-tui", "--log-file", log], env);
    // trigger_event with no url goes to the running listen, signed with its secret.
    const sent = await call("trigger_event", { event: "draw.consumer.won" });
    expect(sent.structuredContent, text(sent)).toMatchObject({ ok: true, delivery: { status: 200 } });
    const id = (sent.structuredContent!.delivery as { id: string }).id;

    const listed = await waitUntil(async () => {
      const result = await call("list_deliveries", { limit: 5 });
      return (result.structuredContent?.deliveries as unknown[] | undefined)?.length ? result : undefined;
    }, 10_000, "the delivery in the listen's log");
    expect(listed.structuredContent).toMatchObject({
      source: "listen",
      deliveries: [{ id, eventType: "draw.consumer.won", signature: "valid", target: { statusCode: 200 } }],
    });
    expect(text(listed)).toContain(`draw.consumer.won [${id}] signature valid → 200`);
  }, 40_000);

  it("list_deliveries reads the admin API's delivery log when one is configured (the emulator)", async () => {
    const configDir = scope.configDir();
    const emulator = startCli(["webhooks", "emulator", "--port", "0", "--json"], { env: cleanEnv({ FANFARE_CONFIG_DIR: configDir }) });
    scope.defer(() => emulator.stop());
    const env = await emulatorEnv(emulator, configDir);
    const app = await scope.target();
    const created = await runCli(["webhooks", "endpoints", "create", "--url", `${app.url}/webhooks`, "--events", "order.created", "--json"], { env });
    expect(created.code, created.stderr).toBe(0);
    const endpoint = (JSON.parse(created.stdout) as { id: string }).id;
    const tested = await runCli(["webhooks", "endpoints", "test", endpoint, "order.created", "--json"], { env });
    expect(tested.code, tested.stderr).toBe(0);
    const delivery = (JSON.parse(tested.stdout) as { id: string }).id;

    const { call } = await connect(env);
    const all = await call("list_deliveries");
    expect(all.isError, text(all)).toBeFalsy();
    expect(all.structuredContent).toMatchObject({
      source: "api",
      deliveries: [{ id: delivery, endpointId: endpoint, eventType: "order.created", status: "succeeded", responseStatus: 200 }],
    });
    const one = await call("list_deliveries", { endpoint, limit: 1 });
    expect((one.structuredContent!.deliveries as unknown[]).length).toBe(1);
    const missing = await call("list_deliveries", { endpoint: "we_missing" });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("no such endpoint we_missing");
  }, 40_000);

  it("writes only protocol messages to stdout, logs to stderr, and exits 0 when the client goes", async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp", "--verbose"], env: cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() }) as Record<string, string>, stderr: "pipe" });
    let logs = "";
    transport.stderr?.on("data", (chunk: Buffer) => (logs += chunk.toString()));
    const client = new Client({ name: "fanfare-test", version: "1.0.0" });
    await client.connect(transport);
    // Anything on stdout that is not JSON-RPC would surface here as a transport error.
    const errors: Error[] = [];
    transport.onerror = (error) => errors.push(error);
    await client.callTool({ name: "list_events", arguments: {} });
    const pid = transport.pid!;
    await client.close();
    await waitUntil(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 10_000, "the server to exit");
    expect(errors).toEqual([]);
    expect(logs).toContain("list_events called");
  }, 30_000);

  it("stops with exit 130 on SIGTERM while a client is still connected", async () => {
    const child = spawn(process.execPath, [BIN, "mcp"], { env: cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() }), stdio: ["pipe", "pipe", "pipe"] });
    scope.defer(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // A ping answered first, so the signal reaches a server that is serving, not one still loading.
    child.stdin.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    await waitUntil(() => out.includes('"id":1'), 15_000, "the answer to a ping");
    child.kill("SIGTERM");
    expect(await exited).toBe(130);
  }, 30_000);
});

describe("the bundle", () => {
  const dist = join(ROOT, "dist");
  const read = (file: string) => readFileSync(file, "utf8");
  // Chunks are CommonJS (`require("./x.cjs")`; an import() became `Promise.resolve().then(() =>
  // require(…))`) or, for the live view, ES modules (`from"./x.cjs"`, `import("./x.mjs")`). A group
  // takes the core modules from cli.cjs (`require("../cli.cjs")`).
  const DYNAMIC = /Promise\.resolve\(\)\.then\(\(\)=>(?:[\w$]+\()?require\("(\.\.?\/[^"]+)"\)|import\(\s*"(\.\.?\/[^"]+)"\s*\)/g;
  const STATIC = /(?:require\(|from\s*|import\s*)"(\.\.?\/[^"]+\.[cm]js)"/g;
  const imports = (file: string, kind: "static" | "dynamic") => {
    const text = read(file);
    const dynamic = [...text.matchAll(DYNAMIC)];
    const found =
      kind === "dynamic"
        ? dynamic.map((m) => m[1] ?? m[2]!)
        : [...text.matchAll(STATIC)].filter((m) => !dynamic.some((d) => m.index >= d.index && m.index < d.index + d[0].length)).map((m) => m[1]!);
    return found.map((spec) => join(dirname(file), spec));
  };
  /** A file and everything it imports statically: what loading it loads. */
  const loads = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const next of imports(file, "static")) loads(next, seen);
    return seen;
  };
  // A string of the MCP protocol that only the SDK holds.
  const MARKER = "notifications/initialized";

  it("loads the MCP SDK only for `fanfare mcp`: not at start-up, not with any other command", () => {
    const cli = join(dist, "cli.cjs");
    const withSdk = readdirSync(join(dist, "chunks"))
      .filter((f) => /\.[cm]js$/.test(f))
      .map((f) => join(dist, "chunks", f))
      .filter((f) => read(f).includes(MARKER));
    expect(withSdk.length).toBeGreaterThan(0);
    const groups = imports(cli, "dynamic");
    const mcp = groups.filter((f) => basename(f).startsWith("mcp-"));
    expect(mcp).toHaveLength(1);
    for (const start of [cli, ...groups.filter((f) => !mcp.includes(f))]) {
      const loaded = [...loads(start)];
      expect(loaded.filter((f) => withSdk.includes(f)), `loading ${basename(start)}`).toEqual([]);
    }
    // …and the mcp command does reach it (through its own dynamic import of the server).
    const reached = imports(mcp[0]!, "dynamic").flatMap((f) => [...loads(f)]);
    expect(reached.some((f) => withSdk.includes(f))).toBe(true);
  });
});
