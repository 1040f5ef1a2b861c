import { chmodSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { usageError } from "../errors.js";
import { configDir } from "./paths.js";

/** One named set of credentials (`--profile NAME`). */
interface ProfileData {
  apiKey?: string;
  apiBase?: string;
}

/** The whole config file: `{ profiles: { default: { apiKey, apiBase } }, localSecret }`. */
interface ConfigData {
  profiles?: Record<string, ProfileData>;
  /** listen/trigger's signing secret in local mode, generated once. */
  localSecret?: string;
}

const CONFIG_NAME = "config";
/** The config holds API keys: only its owner may read it. */
const CONFIG_FILE_MODE = 0o600;

export function configFilePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), `${CONFIG_NAME}.json`);
}

/**
 * Reads the config file without loading conf (and its JSON-schema validator), so commands that only
 * read a setting start fast. An absent file is an empty config; a broken one is a usage error.
 */
export async function readConfig(env: NodeJS.ProcessEnv): Promise<ConfigData> {
  const path = configFilePath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw usageError(`cannot read the config file ${path} (${(error as Error).message})`, "check its permissions");
  }
  if (text.trim() === "") return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as ConfigData;
  } catch {
    throw brokenConfig(path);
  }
}

function brokenConfig(path: string) {
  return usageError(`the config file ${path} is not valid JSON`, "fix it by hand, or delete it and run `fanfare login` again");
}

/**
 * Changes the config file through conf (atomic write). `change` edits a copy of the current data;
 * the file is then written with mode 0600 and the folder is created owner-only.
 */
export async function updateConfig(
  change: (data: ConfigData) => void,
  env: NodeJS.ProcessEnv,
): Promise<ConfigData> {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { default: Conf } = await import("conf");
  let store: InstanceType<typeof Conf<Record<string, unknown>>>;
  try {
    store = new Conf<Record<string, unknown>>({
      cwd: dir,
      configName: CONFIG_NAME,
      projectName: "fanfare",
      configFileMode: CONFIG_FILE_MODE,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
    });
  } catch {
    throw brokenConfig(configFilePath(env));
  }
  const data = structuredClone(store.store) as ConfigData;
  change(data);
  store.store = data as Record<string, unknown>;
  // conf's mode applies when it creates a file; a file made earlier (by hand, an older version) is
  // tightened here.
  chmodSync(store.path, CONFIG_FILE_MODE);
  return data;
}

export function profileOf(data: ConfigData, name: string): ProfileData {
  const profiles = data.profiles;
  if (!profiles || !Object.hasOwn(profiles, name)) return {};
  const profile = profiles[name];
  return profile && typeof profile === "object" ? profile : {};
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Profile names become JSON keys and appear in messages: keep them plain. */
export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw usageError(
      `invalid profile name "${name}"`,
      "use letters, digits, '.', '_' and '-' (up to 64 characters), e.g. --profile staging",
      "invalid_profile",
    );
  }
  return name;
}
