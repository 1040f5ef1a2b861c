import { failure, type CliError } from "../errors.js";
import { TUNNEL_START_TIMEOUT_MS, type QuickTunnel } from "./tunnel.js";
import { sleep } from "../lifecycle/sleep.js";

/** Waits between restarts of cloudflared: 1, 2, 4 … 30 s, then every 30 s. */
const TUNNEL_BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
/** Without a tunnel for this long, listen gives up (exit 1). */
const TUNNEL_GIVE_UP_MS = 5 * 60_000;
/** A connection that cloudflared reports terminated and does not re-register within this: restart. */
const TUNNEL_STALL_MS = 20_000;
/** How often the wall clock is compared with the monotonic one, to notice a sleep. */
const CLOCK_CHECK_MS = 5_000;
/** The wall clock running this far ahead of the monotonic one means the machine slept. */
const CLOCK_JUMP_MS = 10_000;

export interface TunnelKeeperOptions {
  /** Starts a new cloudflared and resolves once it has a URL (startQuickTunnel, bound). */
  start(how: {
    signal: AbortSignal;
    onConnection: (state: "connected" | "disconnected") => void;
    /** What is left before giving up, when less than a start's own timeout. */
    timeoutMs: number;
  }): Promise<QuickTunnel>;
  /** A new tunnel is up: point the endpoint at it (PATCH), record its pid. Errors are reported, not fatal. */
  onNewTunnel(tunnel: QuickTunnel): Promise<void>;
  /** "tunnel reconnecting" / "tunnel back at …". */
  onStatus(status: { state: "reconnecting" | "up"; url: string | null; reason: string | null }): void;
  /** No tunnel for giveUpMs: listen stops with this error (exit 1). */
  onGiveUp(error: CliError): void;
  /**
   * Whether the tunnel answers end to end (a request through its public URL reaches the receiver).
   * Asked after a jump of the wall clock; absent: only exits and terminated connections are noticed.
   */
  probe?(url: string): Promise<boolean>;
  backoffMs?: readonly number[];
  giveUpMs?: number;
  stallMs?: number;
  clockCheckMs?: number;
  /** Epoch ms and a monotonic ms clock (tests move the first to fake a sleep). */
  wallClock?: () => number;
  monotonic?: () => number;
}

/**
 * Keeps a quick tunnel up for the whole session: when cloudflared exits, or its connection stays
 * terminated, or (after the machine slept) the tunnel no longer answers, it is replaced by a new
 * one after a backoff, and `onNewTunnel` points the endpoint at the new URL. After `giveUpMs`
 * without a tunnel it gives up through `onGiveUp`. `stop()` ends it all and stops cloudflared.
 */
export class TunnelKeeper {
  private tunnel: QuickTunnel;
  private stopped = false;
  private recovering = false;
  private readonly abort = new AbortController();
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly clockTimer: NodeJS.Timeout;
  private readonly options: Required<Omit<TunnelKeeperOptions, "probe">> & Pick<TunnelKeeperOptions, "probe">;

  /** `first` is the tunnel started before the session went up; its connection events go to `onConnection`. */
  constructor(first: QuickTunnel, options: TunnelKeeperOptions) {
    this.options = {
      backoffMs: TUNNEL_BACKOFF_MS,
      giveUpMs: TUNNEL_GIVE_UP_MS,
      stallMs: TUNNEL_STALL_MS,
      clockCheckMs: CLOCK_CHECK_MS,
      wallClock: Date.now,
      monotonic: () => performance.now(),
      ...options,
    };
    this.tunnel = first;
    this.watch(first);
    let wall = this.options.wallClock();
    let mono = this.options.monotonic();
    // The monotonic clock stands still while the machine sleeps and the wall clock does not: a gap
    // between them is a sleep, after which the tunnel's connections are likely gone.
    this.clockTimer = setInterval(() => {
      const nowWall = this.options.wallClock();
      const nowMono = this.options.monotonic();
      const jump = nowWall - wall - (nowMono - mono);
      wall = nowWall;
      mono = nowMono;
      if (jump > CLOCK_JUMP_MS) void this.check(`the clock jumped ${Math.round(jump / 1000)} s (the machine slept?)`);
    }, this.options.clockCheckMs);
    this.clockTimer.unref();
  }

  /** The tunnel in use now. */
  get current(): QuickTunnel {
    return this.tunnel;
  }

  /** Feeds the connection events of the tunnel in use (the first one's come through here too). */
  readonly onConnection = (state: "connected" | "disconnected"): void => {
    if (state === "connected") {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    } else if (this.stallTimer === undefined && !this.recovering) {
      const tunnel = this.tunnel;
      this.stallTimer = setTimeout(() => {
        this.stallTimer = undefined;
        if (tunnel === this.tunnel) void this.recover(`cloudflared lost its connection for ${Math.round(this.options.stallMs / 1000)} s`);
      }, this.options.stallMs);
      this.stallTimer.unref();
    }
  };

  /** Stops watching and restarting, and stops the cloudflared in use. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    clearInterval(this.clockTimer);
    clearTimeout(this.stallTimer);
    await this.tunnel.stop();
  }

  /**
   * Leaving now (a second Ctrl-C): no more restarts, and the cloudflared in use is killed before this
   * returns, so it is not left running re-parented to init.
   */
  killNow(): void {
    this.stopped = true;
    this.abort.abort();
    clearInterval(this.clockTimer);
    clearTimeout(this.stallTimer);
    this.tunnel.kill();
  }

  private watch(tunnel: QuickTunnel): void {
    void tunnel.exited.then(({ code, signal }) => {
      if (tunnel !== this.tunnel || this.stopped) return;
      void this.recover(`cloudflared ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`);
    });
  }

  /** Asks the tunnel whether it still answers; restarts it when it does not. */
  private async check(why: string): Promise<void> {
    if (this.recovering || this.stopped || !this.options.probe) return;
    const tunnel = this.tunnel;
    const answers = await this.options.probe(tunnel.url).catch(() => false);
    if (!answers && tunnel === this.tunnel) await this.recover(`${why}; the tunnel no longer answered`);
  }

  private async recover(reason: string): Promise<void> {
    if (this.recovering || this.stopped) return;
    this.recovering = true;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const downSince = this.options.monotonic();
    let lastReason = reason;
    this.options.onStatus({ state: "reconnecting", url: null, reason });
    await this.tunnel.stop();
    const { backoffMs, giveUpMs } = this.options;
    for (let attempt = 0; !this.stopped; attempt++) {
      const wait = backoffMs[Math.min(attempt, backoffMs.length - 1)]!;
      const left = giveUpMs - (this.options.monotonic() - downSince);
      if (left <= 0) break;
      await sleep(Math.min(wait, left), this.abort.signal);
      if (this.stopped) return;
      if (this.options.monotonic() - downSince >= giveUpMs) break;
      let next: QuickTunnel;
      try {
        const timeoutMs = Math.max(1, Math.min(TUNNEL_START_TIMEOUT_MS, giveUpMs - (this.options.monotonic() - downSince)));
        next = await this.options.start({ signal: this.abort.signal, onConnection: this.onConnection, timeoutMs });
      } catch (error) {
        if (this.stopped) return;
        lastReason = `restart failed: ${(error as Error).message}`;
        this.options.onStatus({ state: "reconnecting", url: null, reason: lastReason });
        continue;
      }
      if (this.stopped) {
        await next.stop();
        return;
      }
      this.tunnel = next;
      this.watch(next);
      this.recovering = false;
      await this.options.onNewTunnel(next);
      this.options.onStatus({ state: "up", url: next.url, reason: null });
      return;
    }
    if (this.stopped) return;
    this.options.onGiveUp(
      failure(
        `no tunnel for ${formatMinutes(giveUpMs)} (${lastReason}); listen stopped`,
        "check your connection and start listen again, or run without a tunnel: --tunnel none",
        "tunnel_stopped",
      ),
    );
  }
}

function formatMinutes(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? "" : "s"}` : `${Math.round(ms / 1000)} s`;
}
