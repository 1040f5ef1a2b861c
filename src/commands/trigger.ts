import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { usageError } from "../errors.js";
import {
  assertSecretFitsScheme,
  parseSignatureScheme,
  SECRET_ENV,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
} from "../signing/options.js";
import type { Output } from "../terminal/output.js";
import { type CommandContext, collect, examples, lifecycleScope, parseIntFlag, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

export interface TriggerOptions extends GlobalOptions {
  /** The event types named on the command line. */
  event: string[];
  all?: boolean;
  forwardTo?: string;
  secret?: string;
  /** Unset means v1. Defaults are applied here, not by commander, so --endpoint can tell what was given. */
  scheme?: string;
  set?: string[];
  data?: string;
  count?: string;
  concurrency?: string;
  endpoint?: string;
  /** --wait [SECONDS]: true when given bare (commander's optional value). */
  wait?: string | boolean;
}

const MAX_COUNT = 1_000_000;
/** `trigger --wait` with no number: long enough for a listen started in the background to come up. */
const DEFAULT_WAIT_SECONDS = 10;
const MAX_WAIT_SECONDS = 3600;
const MAX_CONCURRENCY = 256;
/** Past this many deliveries on a terminal, a progress line replaces one line per delivery. */
const LINES_ON_TERMINAL = 200;

export function registerTrigger(parent: Command, ctx: CommandContext): void {
  parent
    .command("trigger")
    .description("send signed sample deliveries of documented events to a URL")
    .argument("[event...]", "event types, e.g. draw.consumer.won (see: fanfare webhooks events)")
    .option("--all", "every documented event type")
    .option(
      "--forward, --forward-to <target>",
      "where to POST: a port, HOST:PORT[/path] or a full URL (default: every running listen)",
    )
    .option("--secret <secret>", `signing secret, whsec_… (env ${SECRET_ENV}, preferred: argv is visible in ps)`)
    .option("--scheme <scheme>", `signature scheme: ${SIGNATURE_SCHEMES.join(" | ")} (default: v1)`)
    .option("--set <path=value>", "override a field of every sample, e.g. data.position=5 (repeatable)", collect)
    .option("--data <file>", "merge a JSON object into every sample's data (- reads stdin)")
    .option("--count <n>", "deliveries per event, each with a fresh id (default: 1)")
    .option("--concurrency <n>", `deliveries in flight at once, 1–${MAX_CONCURRENCY} (default: 1)`)
    .option("--endpoint <id>", "send through the admin API's test route to this endpoint (API key or emulator)")
    .option(
      "--wait [seconds]",
      `without --forward-to: wait up to SECONDS (default ${DEFAULT_WAIT_SECONDS}) for a listen to start, e.g. one just started in the background`,
    )
    .addHelpText(
      "after",
      "\nOutput: one line per delivery (`--> event [id]  <-- [status] time`) and a summary; with --json,\n" +
        "one JSON object per delivery and a final {\"summary\": …}. On a terminal, runs of more than\n" +
        `${LINES_ON_TERMINAL} deliveries show progress and the summary instead of every line.\n` +
        "Without --forward-to, every running listen gets each delivery, signed with its own secret.\n" +
        `Secret: --secret, else the listen's, else ${SECRET_ENV}, else the stored local one (said on stderr).\n` +
        "Exit codes: 0 every delivery got a 2xx, 1 any did not (or nothing was listening), 2 bad input\n" +
        "(or no listen running, after --wait), 130 interrupted.\n" +
        examples([
          [
            "fanfare webhooks trigger draw.consumer.won --forward-to http://localhost:3000/webhooks",
            `send one signed sample (secret from ${SECRET_ENV})`,
          ],
          [
            "fanfare webhooks trigger --all --forward-to localhost:3000/webhooks --secret whsec_…",
            "send every documented event once",
          ],
          [
            "fanfare webhooks trigger draw.consumer.won --set data.position=5 --data extra.json --forward-to …",
            "change fields of the sample",
          ],
          [
            "fanfare webhooks trigger order.created --count 1000 --concurrency 20 --forward-to … --json",
            "load-test a receiver, one JSON line per delivery",
          ],
          ["fanfare webhooks trigger queue.consumer.entered --scheme sha256 --forward-to …", "sign with sha256=<hex>"],
          [
            "fanfare webhooks trigger --all --scheme standard --forward-to localhost:3000/webhooks",
            "Standard Webhooks (webhook-id/-timestamp/-signature), for handlers on standardwebhooks or svix",
          ],
          [
            "fanfare webhooks listen --forward 3000 --no-tui & fanfare webhooks trigger draw.consumer.won --wait",
            "in a script: wait (up to 10 s) for the listen started in the background",
          ],
          [
            "fanfare webhooks trigger draw.consumer.won --endpoint we_123",
            "the platform (or the emulator) signs and delivers it; waits up to 30 s for the outcome",
          ],
        ]),
    )
    .action(runWith(ctx, trigger));
}

export async function trigger(options: TriggerOptions, deps: CommandDeps): Promise<number> {
  const out = outputOf(options, deps);
  if (options.endpoint !== undefined) {
    const { triggerViaEndpoint } = await import("./trigger-endpoint.js");
    return triggerViaEndpoint({ ...options, endpoint: options.endpoint }, deps, out);
  }
  const count = parseIntFlag("--count", options.count ?? "1", 1, MAX_COUNT);
  const concurrency = parseIntFlag("--concurrency", options.concurrency ?? "1", 1, MAX_CONCURRENCY);
  const scheme = parseSignatureScheme(options.scheme ?? "v1");
  const { names: eventNames, waitSeconds } = parseWait(options.event, options.wait);
  const { chooseEvents } = await import("../events/catalog.js");
  const eventTypes = chooseEvents(eventNames, options.all === true);
  const { resolveTargets } = await import("../delivery/target.js");
  const targets = await resolveTargets({
    forwardTo: options.forwardTo,
    env: deps.env,
    waitMs: waitSeconds * 1000,
    onWaiting: () => out.info(out.style.dim(`waiting up to ${waitSeconds} s for a listen to start…`)),
  });
  // Each listen verifies with its own secret, so it beats the environment's; --secret beats both.
  const { resolveSigningSecret, STORED_SECRET_NOTE } = await import("../delivery/signing-secret.js");
  const secrets = await Promise.all(
    targets.map((target) => resolveSigningSecret({ flag: options.secret, sessionSecret: target.sessionSecret, env: deps.env })),
  );
  for (const { secret, source } of secrets) assertSecretFitsScheme(secret, scheme, source === "listen");
  if (secrets.some((s) => s.source === "stored")) out.info(out.style.dim(STORED_SECRET_NOTE));

  const { readDataFile } = await import("../events/overrides.js");
  const { sampleOf } = await import("../events/sample.js");
  const data = options.data === undefined ? undefined : await readDataFile(options.data, () => deps.stdin);
  const set = options.set ?? [];
  // One sample of each event before anything is sent, so a bad --set fails the run up front.
  for (const type of eventTypes.values()) sampleOf(type, { set, data });
  // Ids are fresh per delivery unless --set/--data pins them (then every delivery keeps that id).
  const first = eventTypes.values().next().value!;
  const idsGenerated = sampleOf(first, { set, data }).id !== sampleOf(first, { set, data }).id;
  const { newId } = await import("../events/ids.js");

  return sendAll(out, deps, {
    names: [...eventTypes.keys()],
    buildPayload: (event, now) => sampleOf(eventTypes.get(event)!, { now, set, data }),
    newId: idsGenerated ? (now) => newId("whk", now) : undefined,
    targets: targets.map((target, i) => ({ url: target.url, secret: secrets[i]!.secret })),
    viaListen: targets[0]!.source === "listen",
    scheme,
    count,
    concurrency,
  });
}

interface SendPlan {
  names: string[];
  buildPayload: (event: string, now: Date) => { id: string; type: string };
  newId: ((now: Date) => string) | undefined;
  /** Each delivery goes to every one of them (several running listens), signed with its secret. */
  targets: Array<{ url: URL; secret: string }>;
  /** The targets are running `listen` sessions (said in the opening line). */
  viaListen?: boolean;
  scheme: SignatureScheme;
  count: number;
  concurrency: number;
}

async function sendAll(out: Output, deps: CommandDeps, plan: SendPlan): Promise<number> {
  const [{ createDeliveryClient }, { triggerDeliveries, plannedDeliveries }, report, { LineWriter }, { ProgressLine }] =
    await Promise.all([
      import("../delivery/send.js"),
      import("../delivery/trigger.js"),
      import("../delivery/report.js"),
      import("../terminal/line-writer.js"),
      import("../delivery/progress-line.js"),
    ]);
  const several = plan.targets.length > 1;
  const perTarget = plannedDeliveries(plan.names, plan.count);
  const total = perTarget * plan.targets.length;
  const lines = new LineWriter(out.stdout);
  const progressOnly = !out.json && total > LINES_ON_TERMINAL && Boolean(out.stdout.isTTY);
  const client = await createDeliveryClient({ connections: plan.concurrency, http: deps.http });

  const where = plan.targets.map((t) => t.url.href).join(", ");
  const to = plan.viaListen ? (several ? `each of the ${plan.targets.length} running listens at ` : "the running listen at ") : "";
  out.info(
    out.style.dim(
      `sending ${perTarget} deliver${perTarget === 1 ? "y" : "ies"} to ${to}${where} (${plan.scheme} signature` +
        (plan.concurrency > 1 ? `, ${plan.concurrency} at a time)` : ")"),
    ),
  );

  let done = 0;
  let failed = 0;
  const progress = progressOnly ? new ProgressLine(out.stderr, total) : undefined;
  const onResult = (result: import("../delivery/report.js").DeliveryResult): void => {
    done++;
    if (!result.ok) failed++;
    if (out.json) lines.write(report.deliveryJson(result));
    else if (!progressOnly) lines.write(report.deliveryLine(result, out.style, several));
    if (!result.ok && result.responseBody) out.debug(`  ${result.id} answered: ${result.responseBody.slice(0, 500)}`);
    progress?.update(done, failed);
  };

  // Ctrl-C stops the run and cuts requests in flight; the summary of what was sent still prints.
  const scope = lifecycleScope(deps, out);
  scope.signal.addEventListener("abort", () => void client.destroy(), { once: true });
  scope.defer(() => (scope.stopping ? undefined : client.close()));
  let outcome;
  try {
    outcome = await triggerDeliveries({
      events: plan.names,
      count: plan.count,
      concurrency: plan.concurrency,
      url: plan.targets[0]!.url,
      secret: plan.targets[0]!.secret,
      targets: plan.targets,
      scheme: plan.scheme,
      buildPayload: plan.buildPayload,
      newId: plan.newId,
      client,
      onResult,
      signal: scope.signal,
    });
  } finally {
    progress?.stop();
    lines.flush();
    await scope.close();
  }

  return report.endOfRun(outcome, out, {
    where,
    refusedHint: plan.viaListen
      ? "the listen there has stopped: start it again, or pass --forward-to to send straight to your app"
      : "start your app (or: node examples/receiver.mjs), or fix the port in --forward-to",
  });
}

/**
 * Parses `--wait [SECONDS]`. Commander gives an optional value the next word, so in
 * `trigger --wait draw.consumer.won` the event name arrives as the value: a word that is not a
 * number is given back as an event, and the wait is the default.
 */
const WAIT_HINT = `e.g. --wait 30, or --wait alone for ${DEFAULT_WAIT_SECONDS} s`;

function parseWait(events: string[], wait: string | boolean | undefined): { names: string[]; waitSeconds: number } {
  if (wait === undefined || wait === false) return { names: events, waitSeconds: 0 };
  if (wait === true) return { names: events, waitSeconds: DEFAULT_WAIT_SECONDS };
  if (/^\s*\d+\s*$/.test(wait)) {
    return { names: events, waitSeconds: parseIntFlag("--wait", wait, 0, MAX_WAIT_SECONDS, WAIT_HINT) };
  }
  if (/^[\d.\s]+$/.test(wait)) {
    throw usageError(`--wait must be whole seconds, not "${wait}"`, WAIT_HINT, "invalid_flag");
  }
  return { names: [wait, ...events], waitSeconds: DEFAULT_WAIT_SECONDS };
}
