import type { ApiClient } from "../api/client.js";
import { ExitCode } from "../errors.js";
import type { HttpClientFactory } from "../http/client.js";
import { SECRET_ENV } from "../signing/options.js";
import type { LifecycleScope, StopRequest } from "../lifecycle/scope.js";
import { escapeControl } from "../terminal/escape.js";
import type { Output } from "../terminal/output.js";
import { bannerJson, bannerLines } from "./banner.js";
import { exitSummaryJson, exitSummaryLine, SessionTally } from "./exit-summary.js";
import { removeLeftovers, temporaryEndpointDescription } from "./leftovers.js";
import { limitHeapGrowth } from "./heap.js";
import type { EndpointLease } from "./endpoint-lease.js";
import { printDeliveries } from "./line-output.js";
import type { TunnelChoice } from "./options.js";
import { RECEIVER_PATH } from "./receiver.js";
import { startRelayParts, type RelayParts } from "./session.js";
import { readActiveSessions, removeSessionState, removeSessionStateSync, writeSessionState } from "../session/state-file.js";
import { findCloudflared, TunnelStartAborted, type QuickTunnel } from "./tunnel.js";
import type { DeliveryRecord, SessionInfo } from "./types.js";
import { resolve } from "node:path";
import { SessionNotices } from "./notices.js";
import { targetResults } from "./view/delivery-format.js";
import type { SessionState } from "../session/state-file.js";
import { routedEvents, type ForwardRoute } from "./routes.js";

/** How long a stop waits for deliveries in flight to be answered. */
const GRACEFUL_STOP_MS = 5_000;
/** How long a request through the tunnel may take when checking it after a sleep. */
const TUNNEL_PROBE_MS = 10_000;

interface ListenConfig {
  /** Every --forward, in order (at least one). */
  forwards: ForwardRoute[];
  /** 0 picks a free port. */
  port: number;
  extraHeaders: Record<string, string>;
  logFile?: string;
  /** Event types for the temporary endpoint; empty means every documented one. */
  events: string[];
  allEvents: string[];
  tunnel: TunnelChoice;
  /** --endpoint: reuse this endpoint instead of creating a temporary one. */
  endpointId?: string;
  /** --secret / FANFARE_WEBHOOK_SECRET: what to verify with when reusing an endpoint. */
  givenSecret?: string;
  /** The session's stable secret (the stored local one) unless --secret overrides it. */
  sessionSecret: () => Promise<string>;
  /** Set in connected mode: opens the admin API client. */
  connect: (() => Promise<ApiClient>) | null;
  /** Live view (TTY on both ends, no --no-tui/--json) or lines. */
  tui: boolean;
  maxBodyBytes?: number;
  maxInflightBytes?: number;
  env: NodeJS.ProcessEnv;
  /** This process's id, recorded in the session file and the temporary endpoint's description. */
  pid: number;
  /** The HTTP layer the forwarder sends through. */
  http: HttpClientFactory;
  /** The terminal the live view draws on and reads keys from. */
  terminal: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
}

/**
 * One listen session from start to exit: the receiver, relay and forwarder; in connected mode the
 * tunnel and the endpoint lease; the state file `trigger` finds; the live view or lines. Whatever
 * ends it — `q`, Ctrl-C, SIGTERM, SIGHUP, the tunnel dying — everything is given back in reverse
 * order: the endpoint first (so the platform stops sending), then the tunnel, the receiver, the
 * state file. Resolves to the exit code.
 */
export async function runListen(config: ListenConfig, out: Output, scope: LifecycleScope): Promise<number> {
  // A long-running, allocation-heavy process: keep its heap near what it uses (see heap.ts).
  limitHeapGrowth();
  const { env, pid } = config;
  const warnings: string[] = [];
  // Set once deliveries can arrive: what the one line on exit reports.
  let tally: { counts: SessionTally; startedAt: number } | null = null;
  const cleanUp = async (): Promise<void> => {
    warnings.push(...(await scope.close()));
  };

  try {
    // Everything that can be checked before opening anything is checked first.
    const binary = config.connect && config.tunnel === "cloudflared" ? findCloudflared(env) : null;
    let client: ApiClient | null = null;
    if (config.connect) {
      client = await config.connect();
      const c = client;
      scope.defer(() => c.close());
      // A listen killed before its clean-up left an endpoint that would go on receiving, and maybe
      // its cloudflared: this one removes them first.
      for (const line of await removeLeftovers(client, { env, pid })) out.info(out.style.dim(escapeControl(line)));
    }
    const reusing = config.endpointId !== undefined;
    // What a temporary endpoint subscribes to; empty means all. With a pattern on every --forward,
    // only what some target takes: the platform need not send what would go nowhere.
    const subscribed =
      config.events.length > 0
        ? config.events
        : config.forwards.every((route) => route.pattern !== null)
          ? routedEvents(config.forwards, config.allEvents)
          : [];
    const secret = reusing ? (config.givenSecret ?? null) : (config.givenSecret ?? (await config.sessionSecret()));

    const parts: RelayParts = await startRelayParts({
      forwards: config.forwards,
      port: config.port,
      secret,
      unverifiableReason: "not verified: pass --secret (the endpoint's secret) to check signatures",
      extraHeaders: config.extraHeaders,
      logFilePath: config.logFile,
      maxBodyBytes: config.maxBodyBytes,
      maxInflightBytes: config.maxInflightBytes,
      http: config.http,
    });
    scope.defer(() => parts.close());

    const notices = new SessionNotices();
    // Filled in once everything is up; a restarted tunnel updates its public URL.
    let info: SessionInfo | null = null;
    let tunnel: QuickTunnel | null = null;
    let lease: EndpointLease | null = null;
    let sessionState: SessionState | null = null;
    // The first tunnel's connection events, before its keeper exists.
    let onTunnelConnection: (state: "connected" | "disconnected") => void = () => {};
    if (client) {
      if (binary) {
        out.debug(`cloudflared: ${binary.path} (from ${binary.from})`);
        const { startQuickTunnel } = await import("./tunnel.js");
        const origin = `http://127.0.0.1:${parts.receiver.port}`;
        if (!scope.stopping) {
          try {
            tunnel = await startQuickTunnel(origin, {
              binary,
              onLog: out.verbose ? (l) => out.debug(`cloudflared: ${l}`) : undefined,
              signal: scope.signal,
              onConnection: (state) => onTunnelConnection(state),
            });
          } catch (error) {
            // Ctrl-C/SIGTERM while waiting for the URL: cloudflared is already stopped (and, in the same
            // process group, may have died of the Ctrl-C itself); nothing else was created yet.
            if (error instanceof TunnelStartAborted || scope.stopping) return await finish(await scope.stopped);
            throw error;
          }
          // From here on a tunnel that dies or stops answering is replaced, and the endpoint follows it.
          const { TunnelKeeper } = await import("./tunnel-keeper.js");
          const prober = config.http({ connections: 1, timeoutMs: TUNNEL_PROBE_MS });
          scope.defer(() => prober.destroy());
          const keeper = new TunnelKeeper(tunnel, {
            start: ({ signal, onConnection, timeoutMs }) =>
              startQuickTunnel(origin, {
                binary,
                signal,
                onConnection,
                timeoutMs,
                onLog: out.verbose ? (l) => out.debug(`cloudflared: ${l}`) : undefined,
              }),
            onNewTunnel: async (next) => {
              if (info) info.publicUrl = next.url;
              if (lease) {
                try {
                  await lease.repoint(next.url + RECEIVER_PATH);
                } catch (error) {
                  notices.publish({
                    kind: "tunnel",
                    state: "up",
                    url: next.url,
                    reason: `could not point endpoint ${lease.endpointId} at it: ${(error as Error).message}`,
                    at: Date.now(),
                  });
                }
              }
              // The next listen stops this cloudflared if this one is killed.
              if (sessionState) {
                sessionState = { ...sessionState, cloudflaredPid: next.pid };
                await writeSessionState(sessionState, env).catch(() => {});
              }
            },
            onStatus: (status) => notices.publish({ kind: "tunnel", ...status, at: Date.now() }),
            onGiveUp: (error) => scope.stop({ code: ExitCode.failure, error }),
            // Through the public URL to the receiver, which answers a GET with 405: the whole path works.
            probe: async (url) => {
              const answer = await prober.request(url + RECEIVER_PATH, { method: "GET", headers: {}, keepBytes: 1024, deadlineMs: TUNNEL_PROBE_MS });
              return answer.status === 405;
            },
          });
          onTunnelConnection = keeper.onConnection;
          scope.defer(() => keeper.stop());
          // A second Ctrl-C leaves without waiting for keeper.stop(): cloudflared must not outlive us.
          scope.deferUrgent(() => keeper.killNow());
        }
      }
      if (!scope.stopping) {
        const endpointUrl = (tunnel ? tunnel.url : `http://127.0.0.1:${parts.receiver.port}`) + RECEIVER_PATH;
        const leases = await import("./endpoint-lease.js");
        lease = reusing
          ? await leases.leaseExistingEndpoint(client, config.endpointId!, endpointUrl)
          : await leases.leaseTemporaryEndpoint(client, {
              url: endpointUrl,
              events: subscribed.length > 0 ? subscribed : config.allEvents,
              secret: secret!,
              description: temporaryEndpointDescription(pid),
            });
        const l = lease;
        scope.defer(async () => {
          out.debug(l.temporary ? `deleting temporary endpoint ${l.endpointId}` : `restoring endpoint ${l.endpointId}`);
          const warning = await l.release();
          if (warning) warnings.push(warning);
          // Said plainly, not only with --verbose: "nothing was left behind" is what a person checks for.
          else out.info(out.style.dim(l.temporary ? `deleted temporary endpoint ${l.endpointId}` : `restored endpoint ${l.endpointId}`));
        });
        // Leaving at once cannot wait for the API: say what stays behind and who removes it.
        scope.deferUrgent(() => {
          const left = l.leftBehind();
          if (left) out.warn(left);
        });
      }
    }

    if (secret && !scope.stopping) {
      sessionState = {
        pid,
        receiverUrl: parts.receiver.url,
        secret,
        forwardUrl: config.forwards[0]!.url.href,
        // With a pattern or several targets, what each app takes (check tests one app with its events).
        ...(config.forwards.length > 1 || config.forwards[0]!.pattern !== null
          ? { forwards: config.forwards.map((route) => ({ pattern: route.pattern, url: route.url.href })) }
          : {}),
        startedAt: new Date().toISOString(),
        cloudflaredPid: tunnel?.pid,
        // Absolute: whoever reads the session file (fanfare mcp) may run in another folder.
        logFile: config.logFile === undefined ? undefined : resolve(config.logFile),
      };
      await writeSessionState(sessionState, env);
      scope.defer(() => removeSessionState(pid, env));
      // A second listen is fine, but should not be a surprise: trigger now goes to each of them.
      const others = (await readActiveSessions(env)).filter((session) => session.pid !== pid);
      if (others.length > 0) {
        const list = others.map((o) => `pid ${o.pid} → ${escapeControl(o.forwardUrl)}`).join(", ");
        out.info(out.style.yellow(`also running: ${others.length === 1 ? "another listen" : `${others.length} other listens`} (${list}); trigger sends each delivery to every one`));
      }
      // Leaving at once (a second Ctrl-C) must not leave a session file that sends trigger nowhere.
      scope.deferUrgent(() => removeSessionStateSync(pid, env));
    }

    info = {
      mode: client ? "connected" : "local",
      receiverUrl: parts.receiver.url,
      publicUrl: tunnel?.url ?? null,
      forwardUrl: config.forwards[0]!.url.href,
      forwards: config.forwards.map((route) => ({ pattern: route.pattern, url: route.url.href })),
      // The views print these; a reused endpoint's id and events come from the API.
      endpointId: lease ? escapeControl(lease.endpointId) : null,
      secret: secret ?? "",
      // Empty means all: a temporary endpoint subscribes to what --events asked for (all by default),
      // a reused one keeps the events it has.
      events: !lease ? [] : lease.temporary ? subscribed : lease.events.map((event) => escapeControl(event)),
    };
    const extras = {
      temporaryEndpoint: lease?.temporary ?? false,
      secretNote: reusing
        ? secret
          ? `(from --secret / ${SECRET_ENV})`
          : "(the endpoint's secret is not shown by the API: pass --secret to verify)"
        : undefined,
      tui: config.tui,
    };
    if (scope.stopping) return await finish(await scope.stopped);

    if (out.json) out.stderr.write(JSON.stringify(bannerJson(info, extras)) + "\n");
    else for (const line of bannerLines(info, extras, out.style)) out.stderr.write(line + "\n");
    const counts = new SessionTally();
    tally = { counts, startedAt: Date.now() };
    // Never unsubscribed: deliveries that finish while listen drains on exit still count.
    parts.relay.subscribe((record) => counts.add(record));

    if (config.tui) {
      const { renderLiveViewInScope } = await import("./view/listen-view.js");
      const source = {
        info,
        subscribe: (listener: Parameters<typeof parts.relay.subscribe>[0]) => parts.relay.subscribe(listener),
        replay: async (record: DeliveryRecord) => {
          await parts.relay.replay(record);
        },
        subscribeNotices: (listener: Parameters<typeof notices.subscribe>[0]) => notices.subscribe(listener),
      };
      await renderLiveViewInScope(source, { stdout: config.terminal.stdout, stdin: config.terminal.stdin, color: out.color }, scope);
    } else {
      const stopPrinting = printDeliveries(parts.relay, out.stdout, { json: out.json, color: out.color, notices });
      scope.defer(async () => stopPrinting());
    }

    // Whether the apps are up, said before a delivery fails: checked now and every 10 s while idle.
    const { AppHealth } = await import("./app-health.js");
    const health = new AppHealth({
      targets: config.forwards.map((route) => route.url),
      onChange: (change) => notices.publish({ kind: "app", ...change, at: Date.now() }),
    });
    const stopWatching = parts.relay.subscribe((record) => {
      if (record.target === null) return;
      for (const result of targetResults(record)) health.noteDelivery(result.url, result.statusCode !== null);
    });
    scope.defer(async () => {
      stopWatching();
      health.stop();
    });
    void health.start();
    // Every listener is subscribed now, so without a view nothing will read a kept record again
    // (replay and the details pane are the view's): the lines are the record. Keeping a thousand
    // records would only make work for V8: each lives long enough to reach its old space.
    if (!config.tui) parts.relay.log.keepAtMost(1);

    // Registered last, so it runs first: stop taking deliveries and let those in flight be answered
    // (and shown) before the endpoint, the tunnel and the receiver go.
    scope.defer(async () => {
      if (!(await parts.drain(GRACEFUL_STOP_MS))) {
        warnings.push(`deliveries still in flight after ${GRACEFUL_STOP_MS / 1000} s were cut off (their senders will retry)`);
      }
    });

    return await finish(await scope.stopped);
  } catch (error) {
    await cleanUp();
    printWarnings();
    throw error;
  }

  async function finish(request: StopRequest): Promise<number> {
    await cleanUp();
    if (tally) {
      const { counts, startedAt } = tally;
      const elapsed = Date.now() - startedAt;
      out.stderr.write((out.json ? exitSummaryJson(counts.counts, elapsed) : exitSummaryLine(counts.counts, elapsed)) + "\n");
    }
    if (request.error) out.error(request.error);
    printWarnings();
    return request.error ? request.error.exitCode : request.code;
  }

  function printWarnings(): void {
    for (const warning of warnings) out.warn(warning);
  }
}
