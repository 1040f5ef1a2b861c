import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { CliError, usageError } from "../errors.js";
import { type CommandContext, examples, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

const KEY_ENV = "FANFARE_SECRET_KEY";

export function registerLogin(program: Command, ctx: CommandContext): void {
  program
    .command("login")
    .description("save an API key in a profile, after checking it against the admin API")
    .addHelpText(
      "after",
      "\nThe key is read from stdin when it is piped, else asked for without echo; --api-key works\n" +
        "but is visible to other users in `ps` and in shell history. Nothing is saved unless the API\n" +
        "accepts the key. Profiles live in the config file (mode 0600; FANFARE_CONFIG_DIR moves it).\n" +
        examples([
          ["fanfare login", "type the key at a hidden prompt"],
          ['printf %s "$FANFARE_KEY" | fanfare login', "read the key from stdin (CI, password managers)"],
          ["fanfare login --profile staging --api-base https://staging.fanfare.io/api", "a second profile"],
          ["fanfare login --api-base http://127.0.0.1:8787/api --api-key key", "log in to a local emulator"],
        ]),
    )
    .action(runWith(ctx, login));

  program
    .command("logout")
    .description("remove the saved API key of a profile (--profile, default \"default\")")
    .addHelpText(
      "after",
      "\nWith no saved key there is nothing to do: that is not an error (exit 0).\n" +
        examples([
          ["fanfare logout", "forget the key of the default profile"],
          ["fanfare logout --profile staging", "forget another profile's key"],
        ]),
    )
    .action(runWith(ctx, logout));
}

async function readKey(flagKey: string | undefined, out: import("../terminal/output.js").Output, deps: CommandDeps): Promise<string> {
  if (flagKey !== undefined) {
    out.warn("--api-key is visible to other users in `ps` and in shell history; prefer piping the key to `fanfare login`");
    return usableKey(flagKey.trim(), "--api-key is empty", "--api-key");
  }
  if (!deps.stdin.isTTY) {
    const { readAllText } = await import("../terminal/input.js");
    return usableKey((await readAllText(deps.stdin)).trim(), "no API key on stdin", "the API key");
  }
  const { askHidden } = await import("../config/prompt.js");
  const typed = await askHidden("Fanfare API key (input hidden): ", { input: deps.stdin, output: deps.stderr });
  return usableKey(typed, "no API key entered", "the API key");
}

async function usableKey(key: string, missing: string, from: string): Promise<string> {
  if (!key) {
    throw usageError(missing, 'pipe the key in (printf %s "$KEY" | fanfare login) or type it at the prompt', "missing_api_key");
  }
  const { checkApiKey } = await import("../config/settings.js");
  return checkApiKey(key, from, "paste the key alone, on one line");
}

export async function login(options: GlobalOptions, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const { checkProfileName, profileOf, readConfig, updateConfig, configFilePath } = await import("../config/store.js");
  const { DEFAULT_API_BASE, ENV, checkApiBase, resolveProfileName } = await import("../config/settings.js");
  const { maskSecret } = await import("../config/mask.js");

  const profile = checkProfileName(resolveProfileName(options, deps.env).name);
  const saved = profileOf(await readConfig(deps.env), profile);
  const explicitBase = options.apiBase?.trim() || deps.env[ENV.apiBase]?.trim() || undefined;
  const apiBase = checkApiBase(
    explicitBase ?? saved.apiBase ?? DEFAULT_API_BASE,
    options.apiBase ? "--api-base" : explicitBase ? ENV.apiBase : `profile "${profile}"`,
  );

  const apiKey = await readKey(options.apiKey, out, deps);

  // The key just given, not the one in effect (deps.connectApi's): the same client, through deps.http.
  const { openApiClient } = await import("../api/connect.js");
  const client = openApiClient({ apiBase, apiKey }, out, deps.http);
  let endpointCount: number;
  try {
    endpointCount = (await client.listEndpoints()).length;
  } catch (error) {
    // "run `fanfare login`" is no help to someone running it: say what to check instead.
    const { isApiError } = await import("../api/errors.js");
    if (isApiError(error) && error.status === 401) {
      throw new CliError(error.message, {
        exitCode: error.exitCode,
        code: error.code,
        hint: `check the key (copy it again, whole) and that it belongs to ${apiBase}; nothing was saved`,
      });
    }
    throw error;
  } finally {
    await client.close();
  }

  await updateConfig((data) => {
    const profiles = (data.profiles ??= {});
    const next = { ...profileOf(data, profile), apiKey };
    if (explicitBase) next.apiBase = apiBase;
    profiles[profile] = next;
  }, deps.env);

  const summary = {
    profile,
    apiBase,
    apiKey: maskSecret(apiKey),
    endpoints: endpointCount,
    configFile: configFilePath(deps.env),
  };
  if (out.json) out.printJson(summary);
  else {
    out.print(`logged in: profile "${profile}" saved (key ${summary.apiKey}, ${apiBase})`);
    out.info(out.style.dim(`${endpointCount} endpoint${endpointCount === 1 ? "" : "s"} on this account; config ${summary.configFile}`));
  }
  if (deps.env[KEY_ENV]) out.warn(`${KEY_ENV} is set and takes precedence over the saved profile`);
}

export async function logout(options: GlobalOptions, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const { checkProfileName, profileOf, readConfig, updateConfig, configFilePath } = await import("../config/store.js");
  const { resolveProfileName } = await import("../config/settings.js");
  const { maskSecret } = await import("../config/mask.js");

  const profile = checkProfileName(resolveProfileName(options, deps.env).name);
  const key = profileOf(await readConfig(deps.env), profile).apiKey;
  if (!key) {
    if (out.json) out.printJson({ profile, removed: false });
    else out.print(`nothing to do: profile "${profile}" has no saved key`);
  } else {
    await updateConfig((data) => {
      const rest = { ...profileOf(data, profile) };
      delete rest.apiKey;
      if (!data.profiles) return;
      if (Object.keys(rest).length === 0) delete data.profiles[profile];
      else data.profiles[profile] = rest;
    }, deps.env);
    if (out.json) out.printJson({ profile, removed: true, apiKey: maskSecret(key), configFile: configFilePath(deps.env) });
    else out.print(`logged out: removed key ${maskSecret(key)} from profile "${profile}" (${configFilePath(deps.env)})`);
  }
  if (deps.env[KEY_ENV]) out.warn(`${KEY_ENV} is still set: commands keep using it`);
}
