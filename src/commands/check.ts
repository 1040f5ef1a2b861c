import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { usageError } from "../errors.js";
import { assertSecretFitsScheme, parseSignatureScheme, SECRET_ENV, SIGNATURE_SCHEMES } from "../signing/options.js";
import { type CommandContext, commaList, examples, lifecycleScope, outputOf, parseIntFlag, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

export interface CheckOptions extends GlobalOptions {
  forwardTo?: string;
  secret?: string;
  scheme?: string;
  events?: string[];
  concurrency?: string;
}

const MAX_CONCURRENCY = 64;
/** How often the progress line is redrawn while no answer comes, so its seconds count up on time. */
const PROGRESS_TICK_MS = 250;

export function registerCheck(parent: Command, ctx: CommandContext): void {
  parent
    .command("check")
    .description("test your webhook handler: signatures, timestamps, redeliveries, big and non-ASCII payloads")
    .option(
      "--forward, --forward-to <target>",
      "your handler: a port, HOST:PORT[/path] or a full URL (default: the app the running listen forwards to)",
    )
    .option("--secret <secret>", `the signing secret your handler verifies with (env ${SECRET_ENV})`)
    .option("--scheme <scheme>", `signature scheme: ${SIGNATURE_SCHEMES.join(" | ")} (default: v1)`)
    .option(
      "--events <a,b>",
      "event types to deliver (default: every documented one; for the running listen's app behind a --forward PATTERN=…, those it takes)",
      commaList,
    )
    .option("--concurrency <n>", `requests in flight at once, 1–${MAX_CONCURRENCY} (default: all that can go at once, up to ${MAX_CONCURRENCY})`)
    .addHelpText(
      "after",
      "\nChecks: every event type validly signed is answered 2xx within 30 s (over 5 s: a warning); a bad\n" +
        "signature, a missing signature, a tampered body and a timestamp 15 minutes old are each refused\n" +
        "with 4xx; the same delivery sent twice (same id, fresh timestamp) gets 2xx both times; a 1 MB\n" +
        "payload and non-ASCII text are accepted. Each row says what was sent, what came back, and what\n" +
        "to fix. --json prints one report object. A handler that answers none of the first 10 requests\n" +
        "within 30 s is given up on: nothing more is sent, no check is run to the end, exit 1.\n" +
        "Exit codes: 0 nothing failed (warnings allowed), 1 a check failed or the handler answered\n" +
        "nothing, 2 bad flags or nothing to check (no target, or nothing listening there), 130 interrupted.\n" +
        examples([
          ["fanfare webhooks check --forward-to http://localhost:3000/webhooks", `check your app (secret from ${SECRET_ENV})`],
          ["fanfare webhooks check", "check the app the running `listen` forwards to, with listen's secret"],
          ["fanfare webhooks check --forward-to 3000/webhooks --events order.created,order.completed", "only the events you subscribe to"],
          ["fanfare webhooks check --forward-to 3000/webhooks --json | jq '.checks[] | select(.result != \"pass\")'", "in CI"],
        ]),
    )
    .action(runWith(ctx, check));
}

export async function check(options: CheckOptions, deps: CommandDeps): Promise<number> {
  const out = outputOf(options, deps);
  const scheme = parseSignatureScheme(options.scheme ?? "v1");
  const chosenConcurrency =
    options.concurrency === undefined ? undefined : parseIntFlag("--concurrency", options.concurrency, 1, MAX_CONCURRENCY);
  const [{ chooseEvents }, { sampleOf }, { resolveHandlerTarget }, { resolveSigningSecret }] = await Promise.all([
    import("../events/catalog.js"),
    import("../events/sample.js"),
    import("../delivery/target.js"),
    import("../delivery/signing-secret.js"),
  ]);
  if (options.events !== undefined && options.events.length === 0) {
    throw usageError("--events is empty", "name event types, e.g. --events draw.consumer.won,order.created", "missing_event");
  }
  let events = chooseEvents(options.events ?? [], options.events === undefined);
  const target = await resolveHandlerTarget({ forwardTo: options.forwardTo, env: deps.env });
  if (target.pattern !== undefined && options.events === undefined) {
    // The running listen sends this app only the events its --forward pattern takes: those are checked.
    const { eventPatternMatcher } = await import("../events/event-pattern.js");
    const takes = eventPatternMatcher(target.pattern);
    events = new Map([...events].filter(([name]) => takes(name)));
    if (events.size === 0) {
      throw usageError(
        `the running listen forwards ${target.pattern} to ${target.url.href}, which matches no documented event type`,
        `name the events to check: --events …`,
        "missing_event",
      );
    }
  }
  const { secret, source } = await resolveSigningSecret({ flag: options.secret, sessionSecret: target.sessionSecret, env: deps.env });
  // As trigger does: a secret that cannot sign in this scheme is a usage error before anything is sent.
  assertSecretFitsScheme(secret, scheme, source === "listen");

  const [{ planChecks, requestCount }, { runChecks, roundSize }, { summarize }, format, { createDeliveryClient }, { ProgressLine }, report] =
    await Promise.all([
      import("../check/plan.js"),
      import("../check/run.js"),
      import("../check/judge.js"),
      import("../check/format.js"),
      import("../delivery/send.js"),
      import("../delivery/progress-line.js"),
      import("../delivery/report.js"),
    ]);
  const plans = planChecks({
    events: [...events.keys()],
    secret,
    sample: (event) => sampleOf(events.get(event)!, { now: deps.now() }),
  });
  const total = requestCount(plans);
  // By default every request that does not wait for another goes out at once (60 with every event
  // type): a slow handler then costs about two answers' time, the redelivery's repeat being the
  // second. The platform delivers concurrently too, so a handler has to take this anyway.
  const concurrency = chosenConcurrency ?? Math.min(MAX_CONCURRENCY, roundSize(plans));
  const secretFrom = { flag: "--secret", listen: "the running listen's secret", env: SECRET_ENV, stored: "the stored local secret (listen's)" }[source];
  out.info(
    out.style.dim(
      `checking ${target.source === "listen" ? "the running listen's app at " : ""}${target.url.href}` +
        `${target.pattern !== undefined && options.events === undefined ? ` (the ${target.pattern} events listen sends it)` : ""}: ` +
        `${plans.length} checks, ${events.size} event type${events.size === 1 ? "" : "s"}, ${total} requests ` +
        `(${scheme} signature, secret from ${secretFrom})`,
    ),
  );

  const client = await createDeliveryClient({ connections: concurrency, http: deps.http });
  let sent = 0;
  let answered = 0;
  let lastAnswerAt = performance.now();
  // One line on a terminal (never with --json): the answers so far, and once nothing has come for a
  // second, how many are awaited and for how long, redrawn on a timer so a silent handler shows.
  const progress =
    !out.json && out.stderr.isTTY
      ? new ProgressLine(out.stderr, total, 100, (done, all) =>
          format.progressText(done, all, { count: sent - answered, ms: performance.now() - lastAnswerAt }),
        )
      : undefined;
  const ticker = progress ? setInterval(() => progress.update(answered, 0), PROGRESS_TICK_MS) : undefined;
  const scope = lifecycleScope(deps, out);
  scope.signal.addEventListener("abort", () => void client.destroy(), { once: true });
  scope.defer(() => (scope.stopping ? undefined : client.close()));
  const started = performance.now();
  let outcome;
  try {
    outcome = await runChecks({
      plans,
      url: target.url,
      scheme,
      client,
      concurrency,
      signal: scope.signal,
      now: () => deps.now().getTime(),
      onSend: () => void sent++,
      onAnswer: (plan, _request, result) => {
        answered++;
        lastAnswerAt = performance.now();
        progress?.update(answered, 0);
        out.debug(`${plan.name}: ${report.deliveryLine(result)}`);
      },
    });
    // Given up on a dead handler: its requests still in flight are dropped, not waited for.
    if (outcome.stopped) await client.destroy();
  } finally {
    clearInterval(ticker);
    progress?.stop();
    await scope.close();
  }
  const elapsedMs = performance.now() - started;

  if (outcome.unreachable) {
    throw usageError(
      `nothing to check: nothing is listening at ${target.url.href} (connection refused)`,
      "start your app first (or: node examples/receiver.mjs --port 3000), or fix the port in --forward-to",
      "connection_refused",
    );
  }
  const summary = summarize(outcome.verdicts);
  const context = {
    url: target.url.href,
    scheme,
    events: events.size,
    // Given up: every request sent went unanswered, and each counts (the report says none was answered).
    requests: outcome.stopped ? sent : answered,
    elapsedMs,
    planned: plans.length,
    interrupted: outcome.interrupted,
    notRun: outcome.notRun,
    stopped: outcome.stopped,
  };
  if (out.json) out.printJson(format.checkReport(outcome.verdicts, summary, context));
  else {
    for (const line of format.checkTable(outcome.verdicts, out.style, outcome.notRun)) out.print(line);
    out.print();
    out.print(format.summaryText(summary, context));
  }
  if (outcome.interrupted) return 130;
  return summary.failed > 0 || outcome.stopped ? 1 : 0;
}
