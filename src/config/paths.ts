import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where the config file and the listen session state live. FANFARE_CONFIG_DIR overrides it (tests
 * and sandboxed CI use it so nothing touches the user's real profile).
 */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.FANFARE_CONFIG_DIR) return env.FANFARE_CONFIG_DIR;
  if (process.platform === "win32") {
    return join(env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "fanfare");
  }
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "fanfare");
}
