import { connect } from "node:net";
import { describeNetworkError } from "../http/errors.js";

/** How often an app that had no deliveries is checked. */
const APP_CHECK_INTERVAL_MS = 10_000;
/** A connect that takes longer than this counts as down. */
const APP_CONNECT_TIMEOUT_MS = 2_000;

export interface AppHealthChange {
  /** The app's origin, e.g. http://localhost:3000 */
  target: string;
  state: "down" | "up";
  reason: string | null;
}

interface AppHealthOptions {
  /** The --forward targets; apps are checked once per origin. */
  targets: readonly URL[];
  /** A new state: down (also at start), or up again after down. */
  onChange(change: AppHealthChange): void;
  intervalMs?: number;
  /** Opens and closes a TCP connection to the app; rejects with what Node threw. */
  connect?: (url: URL, timeoutMs: number) => Promise<void>;
  /** Monotonic ms. */
  now?: () => number;
}

interface App {
  url: URL;
  state: "unknown" | "up" | "down";
  /** When something (a check or a delivery) last told us how the app is. */
  heardAt: number;
  checking: boolean;
}

/**
 * Knows whether each app listen forwards to is up, before a delivery fails: a TCP connect at start
 * and every 10 s while an app gets no deliveries (a delivery it answers says it is up; one it never
 * answered triggers a check at once). Tells `onChange` when an app goes down or comes back.
 */
export class AppHealth {
  private readonly apps = new Map<string, App>();
  private readonly byUrl = new Map<string, App | null>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly connectTo: (url: URL, timeoutMs: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: AppHealthOptions) {
    this.intervalMs = options.intervalMs ?? APP_CHECK_INTERVAL_MS;
    this.connectTo = options.connect ?? tcpConnect;
    this.now = options.now ?? (() => performance.now());
    for (const url of options.targets) {
      if (!this.apps.has(url.origin)) this.apps.set(url.origin, { url, state: "unknown", heardAt: -Infinity, checking: false });
    }
  }

  /** Checks every app now, then keeps checking the idle ones. Resolves once the first checks are done. */
  async start(): Promise<void> {
    const first = Promise.all([...this.apps.values()].map((app) => this.check(app)));
    this.timer = setInterval(() => {
      const now = this.now();
      for (const app of this.apps.values()) if (now - app.heardAt >= this.intervalMs) void this.check(app);
    }, Math.max(250, Math.floor(this.intervalMs / 4)));
    this.timer.unref();
    await first;
  }

  /** A delivery's outcome at `url`: an answer means the app is up; none means check it at once. */
  noteDelivery(url: string, answered: boolean): void {
    // Called for every target of every delivery: the URL strings are the few --forward ones.
    let app = this.byUrl.get(url);
    if (app === undefined) {
      app = this.apps.get(originOf(url)) ?? null;
      if (this.byUrl.size < 100) this.byUrl.set(url, app);
    }
    if (!app) return;
    if (answered) {
      app.heardAt = this.now();
      this.set(app, "up", null);
    } else void this.check(app);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async check(app: App): Promise<void> {
    if (app.checking || this.stopped) return;
    app.checking = true;
    try {
      await this.connectTo(app.url, APP_CONNECT_TIMEOUT_MS);
      app.heardAt = this.now();
      this.set(app, "up", null);
    } catch (error) {
      app.heardAt = this.now();
      this.set(app, "down", describeNetworkError(error, { timeoutMs: APP_CONNECT_TIMEOUT_MS }).message);
    } finally {
      app.checking = false;
    }
  }

  private set(app: App, state: "up" | "down", reason: string | null): void {
    const before = app.state;
    app.state = state;
    if (this.stopped || before === state) return;
    // An app found up at start is the expected case: only "down" and "back" are news.
    if (state === "up" && before === "unknown") return;
    this.options.onChange({ target: app.url.origin, state, reason });
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function tcpConnect(url: URL, timeoutMs: number): Promise<void> {
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  // URL keeps an IPv6 host in brackets; net.connect wants it bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error("connect timed out"), { code: "ETIMEDOUT" })));
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  });
}
