import { EventEmitter } from "node:events";
import { PassThrough, Writable } from "node:stream";
import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { isCliError } from "../errors.js";
import type { LifecycleScope } from "../lifecycle/scope.js";
import { toolError } from "../mcp/outcome.js";
import type { FanfareTools, TriggerInput, VerifyInput } from "../mcp/server.js";
import type { SignalSource } from "../lifecycle/scope.js";
import { SIGNATURE_SCHEMES } from "../signing/options.js";
import { type CommandContext, examples, lifecycleScope, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

/** Registers `fanfare mcp` on the program. */
export function registerMcp(program: Command, ctx: CommandContext): void {
  program
    .command("mcp")
    .description("serve the Model Context Protocol on stdio, so a coding agent can list, sample, trigger, verify and read deliveries")
    .addHelpText(
      "after",
      "\nTools: list_events, sample_event, trigger_event, verify_signature, list_deliveries.\n" +
        "stdout carries only protocol messages; logs go to stderr (--verbose for one line per call).\n" +
        "Add it to an agent's MCP configuration as a stdio server:\n" +
        '  {"mcpServers": {"fanfare": {"command": "fanfare", "args": ["mcp"]}}}\n' +
        examples([
          ["claude mcp add fanfare -- fanfare mcp", "Claude Code"],
          ["npx @modelcontextprotocol/inspector fanfare mcp", "try the tools by hand in the MCP inspector"],
        ]),
    )
    .action(runWith(ctx, (options: GlobalOptions, deps) => mcp({ ...options, version: program.version() ?? "" }, deps)));
}

/** Serves until the client closes stdin (exit 0) or a stop signal (130). */
export async function mcp(options: GlobalOptions & { version: string }, deps: CommandDeps): Promise<number> {
  // Logs only, on stderr: stdout is the protocol's.
  const out = outputOf({ ...options, json: false }, deps);
  const { createMcpServer, serveStdio } = await import("../mcp/server.js");
  const scope: LifecycleScope = lifecycleScope(deps, out);
  const server = createMcpServer(mcpTools(options, deps), {
    version: options.version,
    schemes: SIGNATURE_SCHEMES,
    log: (line) => out.debug(line),
  });
  if (deps.stdin.isTTY) {
    // A person ran it by hand: it would sit there silently, waiting for JSON-RPC.
    out.info("fanfare mcp speaks the Model Context Protocol on stdin/stdout, for a coding agent to start.");
    out.info("Add it to the agent's MCP configuration (see `fanfare mcp --help`); Ctrl-C stops.");
  }
  out.debug("fanfare mcp: serving the Model Context Protocol on stdio");
  await serveStdio(server, deps.stdin, deps.stdout, scope.signal);
  await scope.close();
  return scope.stopping ? 130 : 0;
}

/** What one in-process run of a command printed and ended with. */
interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  error?: { message: string; hint?: string; code: string };
}

/**
 * Runs a command's exported run function with in-memory streams (and `stdin` as its input), so a
 * tool does exactly what the command does, and nothing reaches the protocol's stdout. Signals stay
 * with the server's own scope.
 */
async function captured<O>(
  run: (options: O, deps: CommandDeps) => Promise<number | void>,
  options: O,
  deps: CommandDeps,
  stdin = "",
): Promise<Captured> {
  const text = { stdout: "", stderr: "" };
  const sink = (key: "stdout" | "stderr") =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        text[key] += chunk.toString();
        done();
      },
    });
  const input = new PassThrough();
  input.end(stdin);
  const inner: CommandDeps = {
    ...deps,
    stdout: sink("stdout"),
    stderr: sink("stderr"),
    stdin: input,
    signals: new EventEmitter() as unknown as SignalSource,
    exitNow: () => {},
  };
  try {
    const code = await run(options, inner);
    return { code: typeof code === "number" ? code : 0, ...text };
  } catch (error) {
    if (!isCliError(error)) throw error;
    return { code: error.exitCode, ...text, error: { message: error.message, hint: error.hint, code: error.code } };
  }
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The five tools, each through the same code as its command. */
function mcpTools(globals: GlobalOptions, deps: CommandDeps): FanfareTools {
  const base = { ...globals, json: true };
  return {
    async listEvents() {
      const { EVENT_TYPES } = await import("../events/catalog.js");
      const { summarize } = await import("../events/format.js");
      const events = EVENT_TYPES.map(summarize);
      return {
        text: events.map((e) => `${e.name} (${e.status}): ${e.description}`).join("\n"),
        structured: { events },
      };
    },

    async sampleEvent({ event, set }) {
      const { printSample } = await import("./events.js");
      const pairs = Array.isArray(set)
        ? set
        : Object.entries(set ?? {}).map(([path, value]) => `${path}=${typeof value === "string" ? value : JSON.stringify(value)}`);
      const result = await captured(printSample, { ...base, event, set: pairs }, deps);
      if (result.error) return toolError(result.error);
      const payload = JSON.parse(result.stdout) as Record<string, unknown>;
      return { text: JSON.stringify(payload, null, 2), structured: { payload } };
    },

    async triggerEvent(input: TriggerInput) {
      const { trigger } = await import("./trigger.js");
      const result = await captured(
        trigger,
        { ...base, event: [input.event], forwardTo: input.url, secret: input.secret, scheme: input.scheme },
        deps,
      );
      const lines = jsonLines(result.stdout);
      const delivery = lines.find((line) => "id" in line && "status" in line) ?? null;
      const summary = (lines.find((line) => "summary" in line)?.summary as Record<string, unknown> | undefined) ?? null;
      const structured = { ok: result.code === 0, delivery, summary };
      const { RECEIVER_FAILED_HINT } = await import("../delivery/report.js");
      if (result.error?.hint === RECEIVER_FAILED_HINT) {
        // The CLI's hint names a flag an agent cannot pass; the delivery's status is in `structured`.
        return toolError({ ...result.error, hint: "a receiver must answer 2xx within 30 s: see the delivery's status, and the handler's own log" }, structured);
      }
      if (result.error) return toolError(result.error, structured);
      const d = delivery as { event: string; id: string; status: number; url: string; durationMs: number };
      return { text: `${d.event} [${d.id}] → ${d.url}: ${d.status} in ${d.durationMs} ms`, structured };
    },

    async verifySignature(input: VerifyInput) {
      const { verify } = await import("./verify.js");
      // id and scheme are verify's flags for schemes that sign with them (standard); a verify that
      // does not know them detects the scheme from the signature.
      const options: Record<string, unknown> = {
        ...base,
        secret: input.secret,
        payload: "-",
        signature: input.signature,
        timestamp: input.timestamp,
        id: input.id,
        scheme: input.scheme,
        tolerance: input.tolerance === undefined ? undefined : String(input.tolerance),
      };
      const result = await captured(verify, options as Parameters<typeof verify>[0], deps, input.payload);
      if (result.error) return toolError(result.error);
      const answer = jsonLines(result.stdout)[0] ?? {};
      const text = answer.valid
        ? `valid signature (${String(answer.scheme)})`
        : `invalid signature (${String(answer.code)}): ${String(answer.reason)}`;
      return { text, structured: answer };
    },

    async listDeliveries({ endpoint, limit = 20 }) {
      const { listDeliveriesForAgent } = await import("./mcp-deliveries.js");
      return listDeliveriesForAgent({ endpoint, limit }, globals, deps);
    },
  };
}
