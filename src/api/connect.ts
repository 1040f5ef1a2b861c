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
  const client = openApiClient({ apiBase, apiKey: settings.apiKey }, out, http, tuning);
  return { client, settings: { ...settings, apiBase } };
}

/**
 * The admin client for a base URL and key already settled, sending through the given HTTP layer
 * (the command's `deps.http`), --verbose wired to the request log. connectApi's, and `login`'s,
 * which checks the key it was just handed rather than the one in effect. The caller closes it.
 */
export function openApiClient(
  target: { apiBase: string; apiKey: string },
  out: Output,
  http?: HttpClientFactory,
  tuning: Pick<ApiClientOptions, "maxRetries"> = {},
): ApiClient {
  return createApiClient({
    baseUrl: target.apiBase,
    apiKey: target.apiKey,
    log: out.verbose ? (line) => out.debug(line) : undefined,
    http,
    ...tuning,
  });
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
