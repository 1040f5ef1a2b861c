import { usageError } from "../errors.js";

/** Where a trigger run delivers, and how that was decided (for the opening line and --json). */
export interface DeliveryTarget {
  url: URL;
  /** `--forward-to`, or the running `listen` session's receiver. */
  source: "forward-to" | "listen";
  /** The listen session's signing secret, when the target is one. */
  sessionSecret?: string;
}

export interface TargetOptions {
  forwardTo?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Decides where deliveries go. One place so that other sources (a running `listen` session, an
 * endpoint id) slot in here without the command changing.
 */
export async function resolveTarget(options: TargetOptions): Promise<DeliveryTarget> {
  if (options.forwardTo !== undefined) return { url: parseForwardUrl(options.forwardTo), source: "forward-to" };
  const { readActiveSession } = await import("../session/state-file.js");
  const session = await readActiveSession(options.env);
  if (session) return { url: new URL(session.receiverUrl), source: "listen", sessionSecret: session.secret };
  throw usageError(
    "no `fanfare webhooks listen` is running here, and no --forward-to was given",
    "start `fanfare webhooks listen --forward localhost:3000` in another terminal, " +
      "or send straight to your app: --forward-to http://localhost:3000/webhooks",
    "missing_target",
  );
}

/**
 * An http(s) URL to POST to. `localhost:3000/webhooks` and `:3000/webhooks` are read as http on
 * that host, since that is how people type a local app's address.
 */
export function parseForwardUrl(input: string): URL {
  const text = input.trim();
  const hint = "pass a full URL, e.g. --forward-to http://localhost:3000/webhooks";
  if (text === "") throw usageError("--forward-to is empty", hint, "invalid_url");
  let candidate = text;
  if (text.startsWith(":")) candidate = `http://localhost${text}`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) candidate = `http://${text}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw usageError(`--forward-to "${input}" is not a valid URL`, hint, "invalid_url");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(`--forward-to "${input}" is not an http(s) URL`, hint, "invalid_url");
  }
  if (url.hostname === "") throw usageError(`--forward-to "${input}" has no host`, hint, "invalid_url");
  if (url.username || url.password) {
    throw usageError(`--forward-to "${input}" carries credentials`, "put no user:password in the URL", "invalid_url");
  }
  return url;
}
