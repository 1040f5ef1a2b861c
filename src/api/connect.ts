import type { GlobalOptions } from "../config/globals.js";
import { maskSecret } from "../config/mask.js";
import { checkApiBase, ENV, resolveSettings, type Settings } from "../config/settings.js";
import { usageError } from "../errors.js";
import type { Output } from "../terminal/output.js";
import type { HttpClientFactory } from "../http/client.js";
import { createApiClient, type ApiClient, type ApiClientOptions } from "./client.js";

const NO_KEY_HINT = "run `fanfare login`, set FANFARE_SECRET_KEY, or start `fanfare webhooks emulator`";

/**
 * The admin client for a command: settings resolved (flag > env > profile > default), the key
 * required, --verbose wired to the request log. The caller closes the client.
 */
export async function connectApi(
  globals: GlobalOptions,
  out: Output,
  env: NodeJS.ProcessEnv,
  http?: HttpClientFactory,
  /** Client options a command sets for itself (a poller retries on its own schedule: maxRetries 0). */
  tuning: Pick<ApiClientOptions, "maxRetries"> = {},
): Promise<{ client: ApiClient; settings: Settings }> {
  const settings = await resolveSettings(globals, env);
  if (!settings.apiKey) {
    const which = settings.profile === "default" ? "" : ` for profile "${settings.profile}"`;
    throw usageError(`no API key${which}`, NO_KEY_HINT, "missing_api_key");
  }
  const from = globals.apiBase ? "--api-base" : env[ENV.apiBase] ? ENV.apiBase : `profile "${settings.profile}"`;
  const apiBase = checkApiBase(settings.apiBase, from);
  out.debug(`API ${apiBase}, key ${maskSecret(settings.apiKey)} (from ${describeKeySource(settings)})`);
  const client = createApiClient({
    baseUrl: apiBase,
    apiKey: settings.apiKey,
    log: out.verbose ? (line) => out.debug(line) : undefined,
    http,
    ...tuning,
  });
  return { client, settings: { ...settings, apiBase } };
}

function describeKeySource(settings: Settings): string {
  switch (settings.apiKeySource) {
    case "flag":
      return "--api-key";
    case "env":
      return ENV.apiKey;
    case "profile":
      return `profile "${settings.profile}"`;
    default:
      return "nowhere";
  }
}
