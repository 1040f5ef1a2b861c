import type { Command } from "commander";
import type { ApiClient } from "../api/client.js";
import { globalsOf, outputFor } from "./context.js";

/**
 * What every admin subcommand starts with: its output, a way to run one call with a connected
 * client (closed afterwards), and the table formatters, all loaded only when such a command runs.
 */
export async function apiCommand(cmd: Command) {
  const out = outputFor(cmd);
  const globals = globalsOf(cmd);
  const [{ withApi }, fmt] = await Promise.all([import("../api/connect.js"), import("../api/format.js")]);
  const api = <T>(fn: (client: ApiClient) => Promise<T>) => withApi(globals, out, fn);
  return { out, api, fmt };
}
