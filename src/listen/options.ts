import { usageError } from "../errors.js";

const FORWARD_HINT = "pass where your app listens, e.g. --forward localhost:3000/webhooks (or just 3000)";

/**
 * The forward target as people type it: `3000`, `:3000`, `localhost:3000`, `127.0.0.1:3000/hook` or a
 * full http(s) URL, or a port and a path (`3000/webhooks`). A bare host or port means http on that host (localhost when only a port is given),
 * path `/` unless one is given.
 */
export function parseForwardTarget(input: string): URL {
  const text = input.trim();
  if (text === "") throw usageError("--forward is empty", FORWARD_HINT, "invalid_forward");
  let candidate: string;
  // A bare port, with or without a path: `3000`, `3000/webhooks` (new URL would read 3000 as an IPv4 host).
  if (/^\d+$/.test(text)) candidate = `http://localhost:${text}/`;
  else if (/^\d+\//.test(text)) candidate = `http://localhost:${text}`;
  else if (/^:\d+/.test(text)) candidate = `http://localhost${text}`;
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) candidate = text;
  else candidate = `http://${text}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw usageError(`--forward "${input}" is not a host:port or URL`, FORWARD_HINT, "invalid_forward");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(`--forward "${input}" is not an http(s) address`, FORWARD_HINT, "invalid_forward");
  }
  if (url.hostname === "") throw usageError(`--forward "${input}" has no host`, FORWARD_HINT, "invalid_forward");
  if (url.username || url.password) {
    throw usageError(`--forward "${input}" carries credentials`, "put no user:password in the address", "invalid_forward");
  }
  // new URL() accepts port 0 and drops the port when it is the scheme's default, so check the text.
  const port = /^[a-z]+:\/\/(?:\[[^\]]*\]|[^/:?#]*):(\d*)/i.exec(candidate)?.[1];
  if (port !== undefined && (port === "" || Number(port) < 1 || Number(port) > 65535)) {
    throw usageError(`--forward "${input}" has an invalid port`, "use a port from 1 to 65535", "invalid_forward");
  }
  return url;
}

// Set by the HTTP layer itself; letting a user override them would corrupt the forwarded request.
const RESERVED_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

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
    if (!TOKEN.test(name)) throw usageError(`--headers name "${name}" is not a valid header name`, hint, "invalid_headers");
    if (RESERVED_HEADERS.has(name)) {
      throw usageError(`--headers cannot set ${name}`, "the forwarder sets it itself", "invalid_headers");
    }
    if (/[\r\n\0]/.test(value)) throw usageError(`--headers value for ${name} has control characters`, hint, "invalid_headers");
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
