import { ExitCode, type CliError } from "../errors.js";

/** The signals that ask a long-running command to stop: each ends it with exit 130 after clean-up. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** Where stop signals come from: the process in the CLI, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

export interface StopRequest {
  /** The exit code the command should end with. */
  code: number;
  /** Set when a signal asked for the stop. */
  signal?: StopSignal;
  /** Said after clean-up (why the command stopped when it was not asked to). */
  error?: CliError;
}

interface ScopeOptions {
  signals: SignalSource;
  /** A second signal while cleaning up means "now": the command leaves without waiting. */
  exitNow: (code: number) => void;
  /** Told of each signal it acts on (for --verbose); `again` when it cuts clean-up short. */
  onSignal?: (signal: StopSignal, again: boolean) => void;
  now?: () => number;
}

/** Signals closer together than this are one signal delivered twice, not a person pressing Ctrl-C again. */
const REPEATED_SIGNAL_MS = 300;

/**
 * The life of one long-running command (listen, the emulator, a trigger run): an AbortSignal that
 * fires when it should stop, clean-up steps run once in reverse order of registration, and one signal
 * policy: SIGINT, SIGTERM and SIGHUP stop it with exit 130 after clean-up; a second signal during
 * clean-up leaves at once, after the quick synchronous steps (a state file that would mislead others).
 */
export class LifecycleScope {
  private readonly controller = new AbortController();
  private readonly steps: Array<() => unknown> = [];
  private readonly urgentSteps: Array<() => void> = [];
  private readonly now: () => number;
  private request: StopRequest | undefined;
  private resolveStopped!: (request: StopRequest) => void;
  private firstSignalAt = 0;
  private closed = false;
  /** Resolves with the first stop request, whoever made it. */
  readonly stopped: Promise<StopRequest>;

  constructor(private readonly options: ScopeOptions) {
    this.now = options.now ?? Date.now;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    for (const signal of STOP_SIGNALS) options.signals.on(signal, this.onSignal);
  }

  /** Aborted once a stop is requested: pass it to whatever waits (a tunnel's URL, requests in flight). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.request !== undefined;
  }

  /** Asks the command to stop; the first request wins. */
  stop(request: StopRequest): void {
    if (this.request) return;
    this.request = request;
    this.resolveStopped(request);
    this.controller.abort();
  }

  /** A clean-up step; steps run in reverse order of registration, each once, when the scope closes. */
  defer(step: () => unknown): void {
    this.steps.push(step);
  }

  /** A synchronous step that must run even when a second signal cuts the clean-up short. */
  deferUrgent(step: () => void): void {
    this.urgentSteps.push(step);
  }

  /**
   * Runs the clean-up steps (later ones first) and stops listening for signals. A step that fails
   * does not stop the others: its message is returned as a warning.
   */
  async close(): Promise<string[]> {
    const warnings: string[] = [];
    if (this.closed) return warnings;
    this.closed = true;
    while (this.steps.length > 0) {
      try {
        await this.steps.pop()!();
      } catch (error) {
        warnings.push(error instanceof Error ? error.message : String(error));
      }
    }
    this.urgentSteps.length = 0;
    for (const signal of STOP_SIGNALS) this.options.signals.off(signal, this.onSignal);
    return warnings;
  }

  private readonly onSignal = (signal: StopSignal): void => {
    if (this.request) {
      // conf's atomic writer hooks the signals once the config has been written and re-raises each
      // one it sees, so a repeat within a moment is the same signal, not a person.
      if (this.now() - this.firstSignalAt < REPEATED_SIGNAL_MS) return;
      this.options.onSignal?.(signal, true);
      for (const step of this.urgentSteps.splice(0).reverse()) {
        try {
          step();
        } catch {
          // leaving anyway
        }
      }
      this.options.exitNow(ExitCode.interrupted);
      return;
    }
    this.firstSignalAt = this.now();
    this.options.onSignal?.(signal, false);
    this.stop({ code: ExitCode.interrupted, signal });
  };
}
