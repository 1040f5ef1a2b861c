import { usageError } from "../errors.js";
import { isHeaderName, isSendableHeaderValue, unsendableCodePoint } from "../http/header-rules.js";
import { codePointLabel } from "../terminal/escape.js";

// Set by the HTTP layer itself; letting a user override them would corrupt the forwarded request.
// undici refuses expect outright (and its pool then hangs, as for a bad value: http/header-rules.ts).
const RESERVED_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "expect"]);

/** `--headers "K:V,K2:V2"` as lower-cased names to values; repeated flags are joined by commander. */
export function parseHeadersFlag(input: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (input === undefined) return headers;
  const hint = 'use --headers "Name:value,Other:value"';
  for (const part of input.split(",")) {
    if (part.trim() === "") continue;
    const colon = part.indexOf(":");
    if (colon <= 0) throw usageError(`--headers entry "${part.trim()}" is not Name:value`, hint, "invalid_headers");
    const name = part.slice(0, colon).trim().toLowerCase();
    const value = part.slice(colon + 1).trim();
    if (!isHeaderName(name)) throw usageError(`--headers name "${name}" is not a valid header name`, hint, "invalid_headers");
    if (RESERVED_HEADERS.has(name)) {
      throw usageError(`--headers cannot set ${name}`, "the forwarder handles it itself", "invalid_headers");
    }
    // The HTTP layer would refuse it on every delivery: refused here, once, at start.
    if (!isSendableHeaderValue(value)) {
      throw usageError(
        `--headers value for ${name} cannot be sent over HTTP (${codePointLabel(unsendableCodePoint(value))})`,
        "a header value is Latin-1 text with no control character but tab (percent-encode anything else)",
        "invalid_headers",
      );
    }
    headers[name] = value;
  }
  return headers;
}

export type TunnelChoice = "cloudflared" | "none";

export function parseTunnelChoice(input: string): TunnelChoice {
  if (input === "cloudflared" || input === "none") return input;
  throw usageError(`--tunnel "${input}" is not cloudflared or none`, "use --tunnel cloudflared (default) or --tunnel none", "invalid_tunnel");
}

/**
 * Ink draws only the last frame when it believes it runs in CI (its is-in-ci check, below), so a
 * live view there would show nothing until exit: such runs get lines instead, even on a terminal.
 */
export function looksLikeCi(env: NodeJS.ProcessEnv): boolean {
  if (env.CI === "0" || env.CI === "false") return false;
  return "CI" in env || "CONTINUOUS_INTEGRATION" in env || Object.keys(env).some((key) => key.startsWith("CI_"));
}

/**
 * Whether a command shows the live view rather than lines: both ends a terminal, no --json, and
 * not a CI run (see looksLikeCi).
 */
export function wantsLiveView(terminal: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } }, json: boolean, env: NodeJS.ProcessEnv): boolean {
  return Boolean(terminal.stdout.isTTY && terminal.stdin.isTTY) && !json && !looksLikeCi(env);
}

/** What made listen connect to the admin API, as the settings resolved it. */
interface ConnectedBecause {
  apiKeySource: "flag" | "env" | "profile" | null;
  profile: string;
  /** --api-base given on the command line, or FANFARE_API_BASE set. */
  apiBaseFrom: "flag" | "env" | null;
}

/**
 * Why listen runs in connected mode, in words, with how to leave it: a key left in the environment
 * from the emulator walkthrough, or saved by `fanfare login`, is easy to forget. Null when nothing
 * but the user's own flags chose it.
 */
export function connectedReason(because: ConnectedBecause): string | null {
  if (because.apiKeySource === "env") return "FANFARE_SECRET_KEY is set (unset it, or pass --local)";
  if (because.apiKeySource === "profile") {
    return `profile "${because.profile}" has an API key (\`fanfare logout\` removes it, or pass --local)`;
  }
  if (because.apiBaseFrom === "env") return "FANFARE_API_BASE is set (unset it, or pass --local)";
  return null;
}
