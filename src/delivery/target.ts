import { usageError } from "../errors.js";
import { parseTargetUrl } from "./target-url.js";

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
  if (options.forwardTo !== undefined) return { url: parseTargetUrl(options.forwardTo, "--forward-to"), source: "forward-to" };
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

/** Where `check` sends: the handler itself, named or behind the running listen. */
export interface HandlerTarget {
  url: URL;
  /** `--forward-to`, or the target the running `listen` forwards to. */
  source: "forward-to" | "listen";
  /** The listen session's signing secret (the one its app was told to verify with), when there is one. */
  sessionSecret?: string;
}

/**
 * The handler under test: `--forward-to`, else the app the running listen forwards to, sent to
 * directly (going through listen would judge listen's answers, 502/504, not the handler's).
 */
export async function resolveHandlerTarget(options: TargetOptions): Promise<HandlerTarget> {
  if (options.forwardTo !== undefined) return { url: parseTargetUrl(options.forwardTo, "--forward-to"), source: "forward-to" };
  const { readActiveSession } = await import("../session/state-file.js");
  const session = await readActiveSession(options.env);
  if (session) return { url: new URL(session.forwardUrl), source: "listen", sessionSecret: session.secret };
  throw usageError(
    "nothing to check: no --forward-to was given, and no `fanfare webhooks listen` is running here",
    "name your handler: --forward-to http://localhost:3000/webhooks (or start listen --forward … first)",
    "missing_target",
  );
}
