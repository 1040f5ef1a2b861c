import type { ApiClient } from "../api/client.js";
import type { GlobalOptions } from "../config/globals.js";
import { outputOf } from "./context.js";
import type { CommandDeps } from "./deps.js";

/**
 * What every admin subcommand starts with: its output, a way to run one call with a connected
 * client (closed afterwards), and the table formatters, all loaded only when such a command runs.
 */
export async function apiCommand(globals: GlobalOptions, deps: CommandDeps) {
  const out = outputOf(globals, deps);
  const fmt = await import("../api/format.js");
  const api = async <T>(fn: (client: ApiClient) => Promise<T>): Promise<T> => {
    // Keep-alive sockets would hold the process open: the client is always closed.
    const { client } = await deps.connectApi(globals, out);
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  };
  return { out, api, fmt };
}
