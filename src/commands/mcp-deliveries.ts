import type { Delivery } from "../api/types.js";
import type { GlobalOptions } from "../config/globals.js";
import { isCliError } from "../errors.js";
import { toolError, type ToolOutcome } from "../mcp/outcome.js";
import { outputOf } from "./context.js";
import type { CommandDeps } from "./deps.js";

/**
 * `list_deliveries` for `fanfare mcp`: with an API key configured (flag, environment or profile: the
 * admin API or the emulator), the platform's delivery log; without one, what the running
 * `fanfare webhooks listen` received, read from its --log-file (the session file names it).
 */
export async function listDeliveriesForAgent(
  input: { endpoint?: string; limit: number },
  globals: GlobalOptions,
  deps: CommandDeps,
): Promise<ToolOutcome> {
  const { resolveSettings } = await import("../config/settings.js");
  const settings = await resolveSettings(globals, deps.env);
  try {
    if (settings.apiKey) return await fromApi(input, globals, deps);
    return await fromListen(input, deps.env);
  } catch (error) {
    if (!isCliError(error)) throw error;
    return toolError({ message: error.message, hint: error.hint });
  }
}

/** What an agent needs of a delivery to decide what to look at; the API's full record is one command away. */
function summary(d: Delivery): Record<string, unknown> {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventType: d.eventType,
    status: d.status,
    attempt: d.attempt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    nextAttemptAt: d.nextAttemptAt,
    url: d.request.url,
    responseStatus: d.response?.statusCode ?? null,
    error: d.error,
  };
}

async function fromApi(input: { endpoint?: string; limit: number }, globals: GlobalOptions, deps: CommandDeps): Promise<ToolOutcome> {
  // Its --verbose lines go to stderr like every log of the server: stdout is the protocol's.
  const out = outputOf({ ...globals, json: false }, { ...deps, stdout: deps.stderr });
  const { client } = await deps.connectApi(globals, out);
  try {
    const endpoints = input.endpoint ? [input.endpoint] : (await client.listEndpoints()).map((e) => e.id);
    const lists = await Promise.all(endpoints.map((id) => client.listDeliveries(id, { limit: input.limit })));
    const deliveries = lists
      .flat()
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, input.limit)
      .map(summary);
    const text =
      deliveries.length === 0
        ? `no deliveries${input.endpoint ? ` for ${input.endpoint}` : ` across ${endpoints.length} endpoint(s)`}`
        : deliveries
            .map((d) => `${String(d.createdAt)} ${String(d.eventType)} [${String(d.id)}] ${String(d.status)} (attempt ${String(d.attempt)}, ${String(d.responseStatus ?? d.error ?? "—")}) → ${String(d.endpointId)}`)
            .join("\n");
    return { text, structured: { source: "api", deliveries } };
  } finally {
    await client.close();
  }
}

async function fromListen(input: { endpoint?: string; limit: number }, env: NodeJS.ProcessEnv): Promise<ToolOutcome> {
  if (input.endpoint) {
    return toolError({
      message: `no admin API is configured, so there is no delivery log for endpoint ${input.endpoint}`,
      hint: "set FANFARE_SECRET_KEY (and FANFARE_API_BASE for the emulator) in the MCP server's environment, or run `fanfare login`",
    });
  }
  const { readActiveSession } = await import("../session/state-file.js");
  const session = await readActiveSession(env);
  if (!session) {
    return toolError({
      message: "no admin API is configured and no `fanfare webhooks listen` is running",
      hint: "start `fanfare webhooks listen --forward localhost:3000 --log-file deliveries.ndjson`, or configure an API key",
    });
  }
  if (!session.logFile) {
    return toolError({
      message: `the running listen (pid ${session.pid}) keeps no log file`,
      hint: "restart it with --log-file deliveries.ndjson so its deliveries can be read",
    });
  }
  const { readLastDeliveries } = await import("../listen/log-file.js");
  let deliveries: Array<Record<string, unknown>>;
  try {
    deliveries = await readLastDeliveries(session.logFile, input.limit);
  } catch (error) {
    return toolError({ message: `cannot read the listen's log file ${session.logFile}: ${(error as Error).message}` });
  }
  const text =
    deliveries.length === 0
      ? `the running listen has received nothing yet (log: ${session.logFile})`
      : deliveries
          .map((d) => {
            const target = d.target as { statusCode?: number | null; error?: string | null } | null;
            return `${String(d.receivedAt)} ${String(d.eventType)} [${String(d.id)}] signature ${String(d.signature)} → ${String(target?.statusCode ?? target?.error ?? "—")}`;
          })
          .join("\n");
  return { text, structured: { source: "listen", deliveries } };
}
