import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { CliError, isCliError, usageError } from "../errors.js";
import { SECRET_ENV } from "../signing/options.js";
import { type CommandContext, collect, commaList, examples, lifecycleScope, parseIntFlag, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

interface ListenOptions {
  forward?: string[];
  events?: string[];
  tunnel: string;
  endpoint?: string;
  port: string;
  maxInflightMb?: string;
  headers?: string[];
  logFile?: string;
  /** false with --no-tui. */
  tui: boolean;
  printSecret?: boolean;
  secret?: string;
  /** --local: local mode even with an API key configured. */
  local?: boolean;
}


export function registerListen(parent: Command, ctx: CommandContext): void {
  parent
    .command("listen")
    .description("receive deliveries on this machine and forward them to your app, with a live view")
    .option(
      "--forward <target>",
      "where your app listens: HOST:PORT[/path], a port, or a full URL; PATTERN=TARGET for some events only (repeatable)",
      collect,
    )
    .option("--events <a,b>", "event types the temporary endpoint subscribes to (default: all)", commaList)
    .option("--tunnel <kind>", "connected mode's public tunnel: cloudflared | none", "cloudflared")
    .option("--endpoint <id>", "connected mode: receive for this existing endpoint instead of a temporary one")
    .option("--port <n>", "port of the loopback receiver (default: a free one)", "0")
    .option("--max-inflight-mb <n>", "memory for request bodies in flight; past it senders get 503 and retry (default: 64)")
    .option("--headers <K:V,K2:V2>", "headers added to every forwarded request (repeatable)", collect)
    .option("--log-file <file>", "append every delivery (headers and body) to this file as NDJSON")
    .option("--no-tui", "print one line per delivery instead of the live view")
    .option("--secret <secret>", `verify with this secret (a reused --endpoint's; env ${SECRET_ENV})`)
    .option("--print-secret", `print the session's signing secret and exit (for export ${SECRET_ENV}=$(…))`)
    .option("--local", "local mode even when an API key is configured: no tunnel, no endpoint, deliveries from trigger")
    .addHelpText(
      "after",
      "\nModes: with no API key listen runs locally (deliveries come from `fanfare webhooks trigger`); with an\n" +
        "API key (or --api-base at `fanfare webhooks emulator`) it opens a cloudflared quick tunnel and a\n" +
        "temporary endpoint, deleted on exit; --local keeps it local anyway. The signing secret stays the same\n" +
        "across runs. Several listens may run at once: trigger sends each delivery to every one.\n" +
        "Several --forward: each delivery goes to every target whose pattern matches its event type, at once\n" +
        "(`*` is any run of characters, dots included; a bare target takes every event); the sender gets 2xx\n" +
        "only when all of them answered 2xx, else the worst status (502 down, 504 timed out).\n" +
        "listen checks the apps at start and every 10 s while idle, and says when one is down or back.\n" +
        "In connected mode a tunnel that dies is restarted (backoff up to 30 s) and the endpoint follows its\n" +
        "new URL; listen gives up (exit 1) after 5 minutes without a tunnel.\n" +
        "Live view keys: ↑/↓ select, enter/d details, r replay, c copy the body (OSC 52), w write it to a file,\n" +
        "/ filter, p pause, s secret, q quit.\n" +
        "Without a terminal (or with --no-tui / --json) listen prints lines (NDJSON with --json) until stopped.\n" +
        "Exit codes: 0 quit with q, 1 no tunnel for 5 minutes or the API failed, 2 bad flags or no cloudflared, 130 Ctrl-C/SIGTERM.\n" +
        examples([
          ["fanfare webhooks listen --forward localhost:3000/webhooks", "local mode: forward to your app"],
          ["fanfare webhooks trigger draw.consumer.won", "then, in another terminal: send it a signed sample"],
          ["fanfare webhooks listen --forward 3000 --local", "local mode although an API key is configured (login, FANFARE_SECRET_KEY)"],
          [`export ${SECRET_ENV}=$(fanfare webhooks listen --print-secret)`, "the secret your app verifies with"],
          [
            "FANFARE_SECRET_KEY=sk_… fanfare webhooks listen --forward 3000 --events draw.consumer.won",
            "connected mode: a public tunnel and a temporary endpoint",
          ],
          [
            "fanfare webhooks listen --api-base http://127.0.0.1:8787/api --tunnel none --forward 3000",
            "against the emulator, no tunnel",
          ],
          ["fanfare webhooks listen --forward 3000 --no-tui --log-file deliveries.ndjson", "lines, and a full log"],
          [
            "fanfare webhooks listen --forward 'draw.*=localhost:3000/draws' --forward localhost:4000/all",
            "two apps: draw events to :3000 (and :4000), every event to :4000",
          ],
        ]),
    )
    .action(runWith(ctx, listen));
}

export async function listen(options: GlobalOptions & ListenOptions, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const env = deps.env;
  const { stdin, stdout } = deps;
  const { localSigningSecret, resolveSettings, ENV } = await import("../config/settings.js");

  if (options.printSecret) {
    out.print(await localSigningSecret(env));
    return 0;
  }
  const listenOptions = await import("../listen/options.js");
  if (options.forward === undefined) {
    throw usageError(
      "--forward is required: where should deliveries go?",
      "pass where your app listens, e.g. --forward localhost:3000/webhooks (or node examples/receiver.mjs and --forward 3000/webhooks)",
      "missing_forward",
    );
  }
  const { parseForwardFlag, routedEvents } = await import("../listen/routes.js");
  const forwards = options.forward.map((flag) => parseForwardFlag(flag));
  const port = parseIntFlag("--port", options.port, 0, 65535, "leave it out for a free port");
  const maxInflightMb =
    options.maxInflightMb === undefined ? undefined : parseIntFlag("--max-inflight-mb", options.maxInflightMb, 1, 65_536);
  const tunnel = listenOptions.parseTunnelChoice(options.tunnel);
  const extraHeaders = listenOptions.parseHeadersFlag(options.headers?.join(","));
  const { EVENT_TYPES, requireEventType } = await import("../events/catalog.js");
  for (const route of forwards) {
    // Not an error (an event type from outside the catalog may still match), but likely a typo.
    if (route.pattern !== null && routedEvents([route], EVENT_TYPES.map((e) => e.name)).length === 0) {
      out.warn(`--forward pattern "${route.pattern}" matches no documented event type (run: fanfare webhooks events)`);
    }
  }
  const events = [...new Set((options.events ?? []).map((name) => requireEventType(name).name))];

  if (options.local && options.endpoint !== undefined) {
    throw usageError("--local and --endpoint do not go together", "--endpoint receives for an API endpoint: leave out --local", "invalid_flag");
  }
  const settings = await resolveSettings(options, env);
  const connected =
    !options.local &&
    (Boolean(settings.apiKey) || Boolean(options.apiBase) || Boolean(env[ENV.apiBase]) || options.endpoint !== undefined);
  // A key left over from the emulator walkthrough or `fanfare login` picks connected mode silently;
  // when that fails, the hint says so and how to stay local.
  const because =
    connected && options.endpoint === undefined && !options.apiBase
      ? listenOptions.connectedReason({
          apiKeySource: settings.apiKeySource,
          profile: settings.profile,
          apiBaseFrom: env[ENV.apiBase] ? "env" : null,
        })
      : null;
  if (!connected && events.length > 0) {
    out.warn("--events only applies in connected mode (the temporary endpoint); local mode forwards all it receives");
  }

  const { runListen } = await import("../listen/run.js");
  try {
    return await runListen(
      {
        forwards,
        port,
        extraHeaders,
        logFile: options.logFile,
        events,
        allEvents: EVENT_TYPES.map((e) => e.name),
        tunnel,
        endpointId: options.endpoint,
        // The env secret is for a reused endpoint only: a session's own secret is the stored one.
        givenSecret: (options.endpoint !== undefined ? options.secret || env[SECRET_ENV] : options.secret) || undefined,
        sessionSecret: () => localSigningSecret(env),
        connect: connected
          ? async () => {
              return (await deps.connectApi(options, out)).client;
            }
          : null,
        tui: options.tui && listenOptions.wantsLiveView({ stdin, stdout }, out.json, env),
        env,
        maxInflightBytes: maxInflightMb === undefined ? undefined : maxInflightMb * 1024 * 1024,
        pid: deps.pid,
        http: deps.http,
        terminal: { stdin: stdin as NodeJS.ReadStream, stdout: stdout as NodeJS.WriteStream },
      },
      out,
      lifecycleScope(deps, out),
    );
  } catch (error) {
    const { isApiError } = await import("../api/errors.js");
    if (because && isCliError(error) && (error.code === "cloudflared_missing" || isApiError(error))) {
      throw new CliError(error.message, {
        exitCode: error.exitCode,
        code: error.code,
        hint: `${error.hint ? error.hint + "; " : ""}listen is in connected mode because ${because}`,
      });
    }
    throw error;
  }
}
