import { usageError } from "../errors.js";

const CODE = "invalid_target";
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Where to send, as people type it on the command line, for every flag that names one:
 *   3000, :3000          http://localhost:3000/
 *   3000/hook            http://localhost:3000/hook
 *   host:port[/path]     http://host:port[/path]
 *   http(s)://…          kept as it is
 * A bare number is always a port on this machine: WHATWG URL parsing would read `3000` as the IPv4
 * address 0.0.11.184, and a signed delivery would leave the machine. For the same reason a host
 * that is only digits (`http://3000/`) is refused rather than guessed at.
 *
 * `flag` names the option in messages (e.g. `--forward-to`). Bad input is a usage error (exit 2).
 */
export function parseTargetUrl(input: string, flag: string): URL {
  const text = input.trim();
  const hint = `pass where your app listens, e.g. ${flag} localhost:3000/webhooks (or just 3000)`;
  const fail = (problem: string, why = hint) => usageError(`${flag} "${input}" ${problem}`, why, CODE);
  if (text === "") throw usageError(`${flag} is empty`, hint, CODE);
  if (/\s/.test(text)) throw fail("contains a space", `${hint}; encode a space in a path as %20`);
  // `-5` is a port gone wrong, not a host named "-5".
  if (/^[+-]\d+(?=[/?#]|$)/.test(text)) throw fail("has an invalid port", "use a port from 1 to 65535");

  const candidate = /^\d+(?=[/?#]|$)/.test(text)
    ? `http://localhost:${text}`
    : text.startsWith(":")
      ? `http://localhost${text}`
      : SCHEME.test(text)
        ? text
        : `http://${text}`;

  const scheme = SCHEME.exec(candidate)![1]!.toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw fail(`is not an http(s) URL`, `use http:// or https://, or give host:port, e.g. ${flag} localhost:3000/webhooks`);
  }
  const { host, port } = authorityOf(candidate);
  // Checked on the text: new URL() accepts port 0, drops a scheme's default port and rejects a
  // large one with only "Invalid URL".
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw fail("has an invalid port", "use a port from 1 to 65535");
  }
  if (/^\d+$/.test(host)) {
    throw fail(`has a number for a host (${host} would be read as an IP address)`, `for a port on this machine, write ${flag} localhost:${host}`);
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw fail("is not a port, host:port or URL");
  }
  if (url.hostname === "") throw fail("has no host");
  if (url.username || url.password) throw fail("carries credentials", "put no user:password in the URL");
  return url;
}

/** The host and port as typed (brackets kept for IPv6), before URL parsing rewrites them. */
function authorityOf(candidate: string): { host: string; port: string | undefined } {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(candidate)?.[1] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const match = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  return { host: match?.[1] ?? hostPort, port: match?.[2] };
}
