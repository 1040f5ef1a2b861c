import { usageError } from "../errors.js";
import { configFilePath, profileOf, readConfig, updateConfig } from "./store.js";
import { codePointLabel } from "../terminal/escape.js";

export const DEFAULT_API_BASE = "https://admin.fanfare.io/api";
const DEFAULT_PROFILE = "default";

export const ENV = {
  apiKey: "FANFARE_SECRET_KEY",
  apiBase: "FANFARE_API_BASE",
  profile: "FANFARE_PROFILE",
} as const;

type SettingSource = "flag" | "env" | "profile" | "default";

export interface Settings {
  profile: string;
  apiKey: string | null;
  apiKeySource: "flag" | "env" | "profile" | null;
  apiBase: string;
}

/** Settings plus where each came from, for `config list` and --verbose. */
interface ExplainedSettings extends Settings {
  profileSource: "flag" | "env" | "default";
  apiBaseSource: SettingSource;
  configFile: string;
}

interface GlobalSettingFlags {
  profile?: string;
  apiBase?: string;
  apiKey?: string;
}

/**
 * The API key, base URL and profile in effect: a flag beats the environment, which beats the saved
 * profile, which beats the default. An empty value counts as unset (`FANFARE_SECRET_KEY= fanfare …`).
 */
export async function resolveSettings(
  globals: GlobalSettingFlags,
  env: NodeJS.ProcessEnv,
): Promise<Settings> {
  const { profileSource: _p, apiBaseSource: _a, configFile: _c, ...settings } = await explainSettings(globals, env);
  return settings;
}

export async function explainSettings(
  globals: GlobalSettingFlags,
  env: NodeJS.ProcessEnv,
): Promise<ExplainedSettings> {
  const { name: profile, source: profileSource } = resolveProfileName(globals, env);
  const saved = profileOf(await readConfig(env), profile);

  let apiKey: string | null = null;
  let apiKeySource: Settings["apiKeySource"] = null;
  if (nonEmpty(globals.apiKey)) [apiKey, apiKeySource] = [globals.apiKey.trim(), "flag"];
  else if (nonEmpty(env[ENV.apiKey])) [apiKey, apiKeySource] = [env[ENV.apiKey]!.trim(), "env"];
  else if (nonEmpty(saved.apiKey)) [apiKey, apiKeySource] = [saved.apiKey, "profile"];

  let apiBase = DEFAULT_API_BASE;
  let apiBaseSource: SettingSource = "default";
  if (nonEmpty(globals.apiBase)) [apiBase, apiBaseSource] = [globals.apiBase.trim(), "flag"];
  else if (nonEmpty(env[ENV.apiBase])) [apiBase, apiBaseSource] = [env[ENV.apiBase]!.trim(), "env"];
  else if (nonEmpty(saved.apiBase)) [apiBase, apiBaseSource] = [saved.apiBase, "profile"];

  return { profile, apiKey, apiKeySource, apiBase, profileSource, apiBaseSource, configFile: configFilePath(env) };
}

export function resolveProfileName(
  globals: GlobalSettingFlags,
  env: NodeJS.ProcessEnv,
): { name: string; source: "flag" | "env" | "default" } {
  if (nonEmpty(globals.profile)) return { name: globals.profile.trim(), source: "flag" };
  if (nonEmpty(env[ENV.profile])) return { name: env[ENV.profile]!.trim(), source: "env" };
  return { name: DEFAULT_PROFILE, source: "default" };
}

/** An http(s) URL without a trailing slash, or a usage error naming where the bad value came from. */
export function checkApiBase(value: string, from = "--api-base"): string {
  // The URL parser would take a control character in the path (percent-encoding it), and the raw
  // value would then be saved and printed back.
  const bad = unfitCharacter(value, CONTROL);
  if (bad !== undefined) {
    throw usageError(`invalid API base URL (${from}): it contains ${bad}`, `use a full URL, e.g. ${DEFAULT_API_BASE}`, "invalid_api_base");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`invalid API base URL "${value}" (${from})`, `use a full URL, e.g. ${DEFAULT_API_BASE}`, "invalid_api_base");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw usageError(`invalid API base URL "${value}" (${from}): not http(s)`, `use a full URL, e.g. ${DEFAULT_API_BASE}`, "invalid_api_base");
  }
  return value.replace(/\/+$/, "");
}

/** C0 controls, DEL and C1 controls: nothing a key or a URL is made of. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
/** …nor whitespace (Unicode's too), for a key. */
const NOT_IN_A_KEY = /[\s\u0000-\u001f\u007f-\u009f]/u;

/**
 * An API key as given (trimmed), or a usage error naming where it came from (`from`: the flag or
 * setting). The one check of every key we are handed (emulator --api-key, `config set apiKey`,
 * `login`): a control character would otherwise be saved, sent in a header and printed back raw
 * (the emulator's export line), where an ESC or BEL drives the terminal. The character is named by
 * its code point, so the message itself carries nothing raw.
 */
export function checkApiKey(value: string, from: string, hint: string): string {
  const key = value.trim();
  if (key === "") throw usageError(`${from} is empty`, hint, "invalid_api_key");
  const bad = unfitCharacter(key, NOT_IN_A_KEY);
  if (bad !== undefined) throw usageError(`${from} contains ${bad}`, hint, "invalid_api_key");
  return key;
}

/** The first character of `value` that `unfit` matches, named by its code point ("a control character (U+001B)"). */
function unfitCharacter(value: string, unfit: RegExp): string | undefined {
  const bad = unfit.exec(value)?.[0];
  if (bad === undefined) return undefined;
  const what = /\s/u.test(bad) ? "whitespace" : "a control character";
  return `${what} (${codePointLabel(bad.codePointAt(0)!)})`;
}

/**
 * The signing secret of local mode (listen with no account, trigger to it). Generated on first use
 * and kept in the config file, so the local app's FANFARE_WEBHOOK_SECRET stays valid across runs.
 */
export async function localSigningSecret(env: NodeJS.ProcessEnv): Promise<string> {
  const existing = (await readConfig(env)).localSecret;
  if (isSigningSecret(existing)) return existing;
  const { generateSecret } = await import("../signing/secret.js");
  const fresh = generateSecret();
  // Another process may have written one since we read: keep theirs, so both use the same secret.
  const data = await updateConfig((config) => {
    if (!isSigningSecret(config.localSecret)) config.localSecret = fresh;
  }, env);
  return data.localSecret!;
}

/**
 * The stored local secret, or null when no `listen` has made one yet: the fallback of `trigger` and
 * `verify` when no secret is given. Never generated here: a secret that nothing verifies with would
 * only make a check fail in a more confusing way.
 */
export async function storedLocalSecret(env: NodeJS.ProcessEnv): Promise<string | null> {
  const existing = (await readConfig(env)).localSecret;
  return isSigningSecret(existing) ? existing : null;
}

function isSigningSecret(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("whsec_") && value.length > "whsec_".length + 8;
}

function nonEmpty(value: string | undefined | null): value is string {
  return typeof value === "string" && value.trim() !== "";
}
