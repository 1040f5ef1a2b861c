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
