import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import type { DeliveryResult } from "../delivery/report.js";
import { usageError } from "../errors.js";
import type { CapturedDelivery } from "../delivery/replay-log.js";
import { assertSecretFitsScheme, parseSignatureScheme, SECRET_ENV, SIGNATURE_SCHEMES, type SignatureScheme } from "../signing/options.js";
import { escapeControl } from "../terminal/escape.js";
import { type CommandContext, commaList, examples, lifecycleScope, outputOf, parseIntFlag, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

export interface ReplayOptions extends GlobalOptions {
  /** The `listen --log-file` NDJSON; `-` reads stdin. */
  log: string;
  forwardTo?: string;
  event?: string[];
  id?: string[];
  asRecorded?: boolean;
  secret?: string;
  scheme?: string;
  concurrency?: string;
}

const MAX_CONCURRENCY = 256;

export function registerReplay(parent: Command, ctx: CommandContext): void {
  parent
    .command("replay")
    .description("re-send deliveries captured by `listen --log-file`, signed afresh (or exactly as recorded)")
    .argument("<log>", "the NDJSON file listen --log-file wrote; - reads stdin")
    .option(
      "--forward, --forward-to <target>",
      "where to POST: a port, HOST:PORT[/path] or a full URL (default: the running listen)",
    )
    .option("--event <pattern>", "only these event types; * matches anything, e.g. 'draw.*' (comma list, repeatable)", commaList)
    .option("--id <id>", "only these delivery ids (comma list, repeatable)", commaList)
    .option("--as-recorded", "send the original bytes and headers, old signature and timestamp included")
    .option("--secret <secret>", `signing secret, whsec_… (env ${SECRET_ENV}, preferred: argv is visible in ps)`)
    .option("--scheme <scheme>", `signature scheme: ${SIGNATURE_SCHEMES.join(" | ")} (default: the one each delivery came with)`)
    .option("--concurrency <n>", `deliveries in flight at once, 1–${MAX_CONCURRENCY} (default: 1, in log order)`)
    .addHelpText(
      "after",
      "\nEach delivery keeps its id and its exact body bytes and is signed afresh with the current time\n" +
        `(trigger's secret: --secret, else the running listen's, else ${SECRET_ENV}, else the stored one),\n` +
        "so a handler's tolerance check passes; --as-recorded sends what arrived, headers and all.\n" +
        "A truncated or foreign line of the log is skipped with a warning naming it.\n" +
        "Output and exit codes are trigger's: 0 every delivery got a 2xx, 1 any did not (or nothing was\n" +
        "listening), 2 bad input or nothing to replay, 130 interrupted.\n" +
        examples([
          [
            "fanfare webhooks listen --forward localhost:3000/webhooks --log-file deliveries.ndjson",
            "capture real deliveries while you work (Ctrl-C to stop)",
          ],
          [
            "fanfare webhooks replay deliveries.ndjson --forward-to localhost:3000/webhooks",
            `re-send them all to your handler, signed with ${SECRET_ENV}`,
          ],
          ["fanfare webhooks replay deliveries.ndjson --event 'order.*' --forward-to … --json", "only order events; JSON lines for CI"],
          ["fanfare webhooks replay deliveries.ndjson --id whk_01J… --as-recorded --forward-to …", "one delivery, byte for byte as it came"],
        ]),
    )
    .action(runWith(ctx, replay));
}

export async function replay(options: ReplayOptions, deps: CommandDeps): Promise<number> {
  const out = outputOf(options, deps);
  const concurrency = parseIntFlag("--concurrency", options.concurrency ?? "1", 1, MAX_CONCURRENCY);
  const scheme = options.scheme === undefined ? undefined : parseSignatureScheme(options.scheme);
  const asRecorded = options.asRecorded === true;
  if (asRecorded && (scheme !== undefined || options.secret !== undefined)) {
    throw usageError(
      "--as-recorded sends the original signature, so --secret and --scheme have nothing to do",
      "drop --as-recorded to sign afresh, or drop --secret/--scheme",
      "bad_flag",
    );
  }

  const { readSource } = await import("../terminal/input.js");
  const { parseReplayLog, selectDeliveries } = await import("../delivery/replay-log.js");
  const text = await readSource(options.log, {
    stdin: () => deps.stdin,
    what: "the log",
    hint: "pass the NDJSON file that `fanfare webhooks listen --log-file FILE` wrote, or - to read stdin",
    code: "log_unreadable",
  });
  const log = parseReplayLog(text.toString("utf8"));
  const where = options.log === "-" ? "stdin" : options.log;
  for (const { line, reason } of log.skipped) out.warn(`line ${line} of ${where} skipped: ${reason}`);
  const chosen = selectDeliveries(log.deliveries, { events: options.event, ids: options.id });
  if (chosen.length === 0) {
    const filtered = (options.event?.length ?? 0) + (options.id?.length ?? 0) > 0;
    throw usageError(
      filtered
        ? `none of the ${log.deliveries.length} deliveries in ${where} match --event/--id`
        : `no deliveries in ${where}`,
      filtered
        ? "check the patterns (`*` matches anything: --event 'draw.*') and ids"
        : "record some with `fanfare webhooks listen --log-file FILE`, then replay FILE",
      "nothing_to_replay",
    );
  }

  const { resolveTarget } = await import("../delivery/target.js");
  const target = await resolveTarget({ forwardTo: options.forwardTo, env: deps.env });
  let signing: { secret: string; schemeOf: (delivery: CapturedDelivery) => SignatureScheme } | "as-recorded" = "as-recorded";
  if (!asRecorded) {
    // The secret trigger would use (DESIGN): one order, resolveSigningSecret's, so a running listen's
    // secret beats FANFARE_WEBHOOK_SECRET here as it does for trigger (listen verifies with its own).
    const { resolveSigningSecret, STORED_SECRET_NOTE } = await import("../delivery/signing-secret.js");
    const { secret, source } = await resolveSigningSecret({
      flag: options.secret,
      sessionSecret: target.sessionSecret,
      env: deps.env,
      // replay has one more way out than trigger: the recorded signatures.
      orElse: "--as-recorded",
    });
    if (source === "stored") out.info(out.style.dim(STORED_SECRET_NOTE));
    const recorded = scheme === undefined ? await recordedSchemes(chosen, where) : undefined;
    for (const s of recorded ? new Set(recorded.values()) : [scheme!]) assertSecretFitsScheme(secret, s, source === "listen");
    signing = { secret, schemeOf: recorded ? (delivery) => recorded.get(delivery)! : () => scheme! };
  }

  const [{ createDeliveryClient }, { replayDeliveries }, report, { LineWriter }] = await Promise.all([
    import("../delivery/send.js"),
    import("../delivery/replay.js"),
    import("../delivery/report.js"),
    import("../terminal/line-writer.js"),
  ]);
  const lines = new LineWriter(out.stdout);
  const client = await createDeliveryClient({ connections: concurrency, http: deps.http });
  const total = chosen.length;
  out.info(
    out.style.dim(
      `replaying ${total} deliver${total === 1 ? "y" : "ies"} from ${escapeControl(where)} to ` +
        `${target.source === "listen" ? "the running listen at " : ""}${target.url.href} ` +
        (signing === "as-recorded" ? "(as recorded)" : `(signed afresh${scheme ? `, ${scheme}` : ""})`),
    ),
  );
  const onResult = (result: DeliveryResult): void => {
    // Ids and event types come from the log, that is from whoever sent to listen: report escapes them.
    if (out.json) lines.write(report.deliveryJson(result));
    else lines.write(report.deliveryLine(result, out.style));
    if (!result.ok && result.responseBody) out.debug(`  ${result.id} answered: ${result.responseBody.slice(0, 500)}`);
  };

  // Ctrl-C stops the run and cuts requests in flight; the summary of what was sent still prints.
  const scope = lifecycleScope(deps, out);
  scope.signal.addEventListener("abort", () => void client.destroy(), { once: true });
  scope.defer(() => (scope.stopping ? undefined : client.close()));
  let outcome;
  try {
    outcome = await replayDeliveries({ deliveries: chosen, url: target.url, concurrency, signing, client, onResult, signal: scope.signal });
  } finally {
    lines.flush();
    await scope.close();
  }

  return report.endOfRun(outcome, out, {
    where: target.url.href,
    refusedHint: "start your app, or fix the port in --forward-to",
    noun: "replayed deliveries",
  });
}

/**
 * The schemes the chosen deliveries were recorded in, to sign them afresh in; a recorded signature
 * that cannot be read (a sender's junk that listen flagged) stops the run before anything is sent.
 */
async function recordedSchemes(chosen: readonly CapturedDelivery[], where: string): Promise<Map<CapturedDelivery, SignatureScheme>> {
  const { recordedScheme } = await import("../delivery/replay-log.js");
  const schemes = new Map<CapturedDelivery, SignatureScheme>();
  for (const delivery of chosen) {
    const recorded = recordedScheme(delivery.headers);
    if (!recorded.ok) {
      throw usageError(
        `line ${delivery.line} of ${where} (${delivery.id}): the recorded ${recorded.header} cannot be read, so its scheme is unknown: ${recorded.reason}`,
        `pass --scheme ${SIGNATURE_SCHEMES.join("|")} to sign it afresh in that scheme, or --as-recorded to send it as it came`,
        "malformed_signature",
      );
    }
    schemes.set(delivery, recorded.scheme);
  }
  return schemes;
}
