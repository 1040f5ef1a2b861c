import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import { toolError, type ToolOutcome } from "./outcome.js";

/**
 * The Model Context Protocol face of fanfare (`fanfare mcp`): five tools a coding agent calls instead
 * of scraping terminal output. This module knows the protocol and the tools' schemas only; what a
 * tool does is handed in as `FanfareTools` (src/commands/mcp.ts runs the same code as the commands).
 * It is the only module that imports the SDK, and only the `mcp` command loads it.
 */


export interface TriggerInput {
  event: string;
  url?: string;
  secret?: string;
  scheme?: string;
}

export interface VerifyInput {
  secret: string;
  payload: string;
  signature: string;
  timestamp?: string;
  id?: string;
  scheme?: string;
  tolerance?: number;
}

export interface FanfareTools {
  listEvents(): Promise<ToolOutcome>;
  sampleEvent(input: { event: string; set?: string[] | Record<string, unknown> }): Promise<ToolOutcome>;
  triggerEvent(input: TriggerInput): Promise<ToolOutcome>;
  verifySignature(input: VerifyInput): Promise<ToolOutcome>;
  listDeliveries(input: { endpoint?: string; limit?: number }): Promise<ToolOutcome>;
}

interface ServerInfo {
  version: string;
  /** The signature schemes the CLI signs and verifies with (SIGNATURE_SCHEMES). */
  schemes: readonly [string, ...string[]];
  /** Told of each tool call and of failures; the caller sends it to stderr (stdout is the protocol's). */
  log?: (line: string) => void;
}

const delivery = z.looseObject({
  event: z.string(),
  id: z.string(),
  status: z.number().nullable(),
  ok: z.boolean(),
  durationMs: z.number(),
  url: z.string(),
  error: z.string().nullable(),
});

export function createMcpServer(tools: FanfareTools, info: ServerInfo): McpServer {
  const server = new McpServer(
    { name: "fanfare", version: info.version },
    {
      instructions:
        "Fanfare webhooks: list the documented event types, build sample payloads, send signed samples to a " +
        "URL or to a running `fanfare webhooks listen`, verify signatures, and read the delivery log.",
    },
  );
  const scheme = z.enum(info.schemes);

  register<void>(server, info, "list_events", {
    description: "Every documented Fanfare webhook event type, with its category, status (reference, guide, planned) and description.",
    inputSchema: {},
    outputSchema: {
      events: z.array(z.looseObject({ name: z.string(), category: z.string(), status: z.string(), description: z.string() })),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => tools.listEvents());

  register<Parameters<FanfareTools["sampleEvent"]>[0]>(server, info, "sample_event", {
    description: "A realistic sample payload of one event type (fresh ids, timestamps at now), as `fanfare webhooks sample` prints it.",
    inputSchema: {
      event: z.string().describe("event type, e.g. draw.consumer.won (see list_events)"),
      set: z
        .union([z.array(z.string()), z.record(z.string(), z.unknown())])
        .optional()
        .describe('field overrides: ["data.position=5"] or {"data.position": 5}; a value keeps the type of the field it replaces'),
    },
    outputSchema: { payload: z.record(z.string(), z.unknown()) },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (input) => tools.sampleEvent(input));

  register<TriggerInput>(server, info, "trigger_event", {
    description:
      "Sign a sample of an event and POST it to a URL (or, without url, to the running `fanfare webhooks listen`), " +
      "as `fanfare webhooks trigger` does. A non-2xx answer or a network error is reported as a failed result.",
    inputSchema: {
      event: z.string().describe("event type, e.g. draw.consumer.won"),
      url: z.string().optional().describe("where to POST: a port, host:port/path or a full URL; default: the running listen"),
      secret: z.string().optional().describe("signing secret (whsec_…); default: the running listen's, then FANFARE_WEBHOOK_SECRET"),
      scheme: scheme.optional().describe("signature scheme (default v1)"),
    },
    outputSchema: { ok: z.boolean(), delivery: delivery.nullable(), summary: z.record(z.string(), z.unknown()).nullable() },
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  }, (input) => tools.triggerEvent(input));

  register<VerifyInput>(server, info, "verify_signature", {
    description:
      "Check a webhook signature against the raw body and the secret, as `fanfare webhooks verify` does. " +
      "An invalid signature is an answer (valid: false, with the reason), not an error.",
    inputSchema: {
      secret: z.string().describe("the signing secret (whsec_…)"),
      payload: z.string().describe("the raw request body, exactly as received"),
      signature: z.string().describe("the X-Fanfare-Signature header value (or webhook-signature for standard)"),
      timestamp: z.string().optional().describe("the X-Fanfare-Timestamp header value (unix seconds)"),
      id: z.string().optional().describe("the delivery id (webhook-id), for the standard scheme"),
      scheme: scheme.optional().describe("signature scheme; detected from the signature when left out"),
      tolerance: z.number().int().min(0).optional().describe("largest timestamp age in seconds, 0 skips the check (default 300)"),
    },
    outputSchema: {
      valid: z.boolean(),
      scheme: z.string().nullable().optional(),
      code: z.string().optional(),
      reason: z.string().optional(),
      timestamp: z.union([z.string(), z.number()]).nullable().optional(),
      age: z.number().nullable().optional(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (input) => tools.verifySignature(input));

  register<Parameters<FanfareTools["listDeliveries"]>[0]>(server, info, "list_deliveries", {
    description:
      "Recent deliveries, newest first: from the admin API (or emulator) when an API key is configured, " +
      "else from the running `fanfare webhooks listen` (started with --log-file).",
    inputSchema: {
      endpoint: z.string().optional().describe("admin API: only this endpoint's deliveries (we_…)"),
      limit: z.number().int().min(1).max(100).optional().describe("how many (default 20)"),
    },
    outputSchema: { source: z.enum(["api", "listen"]), deliveries: z.array(z.record(z.string(), z.unknown())) },
    annotations: { readOnlyHint: true, openWorldHint: true },
  }, (input) => tools.listDeliveries(input));

  return server;
}

interface ToolConfig {
  description: string;
  inputSchema: Record<string, z.ZodType>;
  outputSchema: Record<string, z.ZodType>;
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; openWorldHint?: boolean };
}

/**
 * One tool: its outcome becomes text plus structured content; anything thrown becomes a tool error
 * with the message, so a call never takes the server down.
 */
function register<I>(server: McpServer, info: ServerInfo, name: string, config: ToolConfig, call: (input: I) => Promise<ToolOutcome>): void {
  const errorShape = z.object({ message: z.string(), hint: z.string().optional(), code: z.string().optional() });
  // Loose: the answers are the commands' --json output, which may gain fields; an agent's client checks
  // results against this schema, and a new field must not make it reject them.
  const output = z.looseObject({ ...config.outputSchema, error: errorShape.optional() });
  const handler = async (input: I) => {
    info.log?.(`${name} called`);
    let outcome: ToolOutcome;
    try {
      outcome = await call(input ?? ({} as I));
    } catch (error) {
      info.log?.(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      outcome = toolError({ message: error instanceof Error ? error.message : String(error) });
    }
    // Clients check structured content against the output schema even on errors, so an error sends
    // it only when it fits (a failed delivery does; "unknown event" has no payload to give).
    const fits = !outcome.isError || output.safeParse(outcome.structured).success;
    return {
      content: [{ type: "text" as const, text: outcome.text }],
      ...(fits ? { structuredContent: outcome.structured } : {}),
      ...(outcome.isError ? { isError: true } : {}),
    };
  };
  // The SDK's generic signature infers the input from the schema; the handler's own type says it here.
  server.registerTool(name, { ...config, outputSchema: output } as never, handler as never);
}

/**
 * Serves `server` over stdio until the client closes our stdin or `signal` aborts. Only protocol
 * messages go to `stdout`.
 */
export async function serveStdio(
  server: McpServer,
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  // The transport uses only on/off/pause of stdin and write/once("drain") of stdout.
  const transport = new StdioServerTransport(stdin as never, stdout as never);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The SDK's transport does not watch for the end of its input; a client that exits ends it.
    stdin.once("end", () => void server.close());
    stdin.once("close", () => void server.close());
    signal.addEventListener("abort", () => void server.close(), { once: true });
  });
  await server.connect(transport);
  await closed;
}
