import { usageError } from "../errors.js";
import { parseTargetUrl } from "./target-url.js";
import { sleep } from "../lifecycle/sleep.js";

/**
 * Where a run delivers, and how that was decided (for the opening line and --json): trigger's
 * `--forward-to` or a running listen's receiver; check's `--forward-to` or the app behind the
 * running listen.
 */
interface DeliveryTarget {
  url: URL;
  source: "forward-to" | "listen";
  /** The listen session's signing secret (the one its app was told to verify with), when there is one. */
  sessionSecret?: string;
  /** The listen's `--forward PATTERN=URL` pattern for this app: the events listen sends it. */
  pattern?: string;
}

interface TargetOptions {
  forwardTo?: string;
  env: NodeJS.ProcessEnv;
  /** --wait: how long to wait for a listen session to appear (0: not at all). */
  waitMs?: number;
  /** Stops the wait (Ctrl-C). */
  signal?: AbortSignal;
  /** Told once when there is no session yet and the wait begins. */
  onWaiting?: () => void;
  /** How often the session folder is looked at while waiting. */
  pollMs?: number;
}

/**
 * Decides where deliveries go: `--forward-to`, or every running `listen` session (each gets every
 * delivery). One place so that other sources slot in here without the command changing.
 */
export async function resolveTargets(options: TargetOptions): Promise<DeliveryTarget[]> {
  if (options.forwardTo !== undefined) return [{ url: parseTargetUrl(options.forwardTo, "--forward-to"), source: "forward-to" }];
  const { readActiveSessions } = await import("../session/state-file.js");
  const deadline = Date.now() + (options.waitMs ?? 0);
  let told = false;
  for (;;) {
    const sessions = await readActiveSessions(options.env);
    if (sessions.length > 0) {
      return sessions.map((session) => ({ url: new URL(session.receiverUrl), source: "listen", sessionSecret: session.secret }));
    }
    if (Date.now() >= deadline || options.signal?.aborted) break;
    if (!told) options.onWaiting?.();
    told = true;
    await sleep(Math.min(options.pollMs ?? 100, Math.max(0, deadline - Date.now())), options.signal);
  }
  const waited = options.waitMs ? ` after waiting ${Math.round(options.waitMs / 1000)} s` : "";
  throw usageError(
    `no \`fanfare webhooks listen\` is running here${waited}, and no --forward-to was given`,
    "start `fanfare webhooks listen --forward localhost:3000` in another terminal (in a script: start it in the " +
      "background and pass --wait), or send straight to your app: --forward-to http://localhost:3000/webhooks",
    "missing_target",
  );
}

/**
 * One target: `--forward-to`, or the most recently started running listen. For commands that send
 * to one place (replay); trigger sends to every listen through resolveTargets.
 */
export async function resolveTarget(options: TargetOptions): Promise<DeliveryTarget> {
  return (await resolveTargets(options)).at(-1)!;
}

/**
 * The handler under test: `--forward-to`, else the app the running listen forwards to, sent to
 * directly (going through listen would judge listen's answers, 502/504, not the handler's).
 */
export async function resolveHandlerTarget(options: TargetOptions): Promise<DeliveryTarget> {
  if (options.forwardTo !== undefined) return { url: parseTargetUrl(options.forwardTo, "--forward-to"), source: "forward-to" };
  const { readActiveSession } = await import("../session/state-file.js");
  const session = await readActiveSession(options.env);
  if (session && session.forwards !== undefined && session.forwards.length > 1) {
    // Each app takes its own events: checking one with all of them would judge it on deliveries
    // listen never sends it, and the others would go unchecked.
    const apps = session.forwards.map((f) => (f.pattern === null ? f.url : `${f.pattern}=${f.url}`)).join(", ");
    throw usageError(
      `the running listen forwards to ${session.forwards.length} apps (${apps}); check tests one handler`,
      `name it: --forward-to ${session.forwards[0]!.url} (add --events to match what listen sends it)`,
      "ambiguous_target",
    );
  }
  if (session) {
    const pattern = session.forwards?.[0]?.pattern ?? undefined;
    return { url: new URL(session.forwardUrl), source: "listen", sessionSecret: session.secret, ...(pattern ? { pattern } : {}) };
  }
  throw usageError(
    "nothing to check: no --forward-to was given, and no `fanfare webhooks listen` is running here",
    "name your handler: --forward-to http://localhost:3000/webhooks (or start listen --forward … first)",
    "missing_target",
  );
}
