import { usageError } from "../errors.js";
import type { HttpClientFactory } from "../http/client.js";
import { fileErrorReason } from "../terminal/input.js";
import { Forwarder } from "./forwarder.js";
import { DeliveryLogFile } from "./log-file.js";
import { startReceiver, type Receiver } from "./receiver.js";
import { DeliveryRelay, type RoutedForwarder } from "./relay.js";
import { eventMatcher, type ForwardRoute } from "./routes.js";

interface RelayPartsOptions {
  /** Every --forward, in order (at least one). */
  forwards: readonly ForwardRoute[];
  /** 0 picks a free port. */
  port: number;
  /** null when there is nothing to verify with (a reused endpoint, no --secret). */
  secret: string | null;
  unverifiableReason?: string;
  /** --headers, for the relay to add to every forwarded delivery. */
  extraHeaders?: Record<string, string>;
  logFilePath?: string;
  maxBodyBytes?: number;
  /** Body bytes held across deliveries in flight before senders get 503 and Retry-After. */
  maxInflightBytes?: number;
  timeoutMs?: number;
  /** The HTTP layer the forwarder sends through. */
  http?: HttpClientFactory;
}

/** The local half of a listen session: receiver → relay → forwarder, and the log file. */
export interface RelayParts {
  receiver: Receiver;
  relay: DeliveryRelay;
  /** One per --forward, in order. */
  targets: readonly RoutedForwarder[];
  logFile: DeliveryLogFile | null;
  /**
   * A graceful stop: takes no new deliveries and waits (up to `ms`) for those in flight to be
   * answered; resolves true when all were answered, false when some were still in flight at the deadline.
   */
  drain(ms: number): Promise<boolean>;
  /** Stops taking deliveries, then closes the forwarders and flushes the log file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the parts of listen that need no account: the loopback receiver, the relay that verifies,
 * records and forwards, and the --log-file. Either all start or none is left open.
 */
export async function startRelayParts(options: RelayPartsOptions): Promise<RelayParts> {
  let logFile: DeliveryLogFile | null = null;
  if (options.logFilePath) {
    try {
      logFile = await DeliveryLogFile.open(options.logFilePath);
    } catch (error) {
      // A flag that cannot be honoured, as an unreadable --payload is: a usage error (2).
      throw usageError(
        `cannot open --log-file "${options.logFilePath}": ${fileErrorReason(error)}`,
        "pass a file in a folder that exists and that you can write to",
        "log_file",
      );
    }
  }
  // Two --forward flags to one URL share nothing but the URL: each is a target of its own.
  const targets: RoutedForwarder[] = await Promise.all(
    options.forwards.map(async (route) => ({
      pattern: route.pattern,
      matches: eventMatcher(route.pattern),
      forwarder: await Forwarder.create(route.url, {
        timeoutMs: options.timeoutMs,
        http: options.http,
      }),
    })),
  );
  const closeForwarders = () => Promise.all(targets.map((t) => t.forwarder.close()));
  const relay = new DeliveryRelay({
    targets,
    secret: options.secret,
    unverifiableReason: options.unverifiableReason,
    extraHeaders: options.extraHeaders,
    logFile,
  });
  let receiver: Receiver;
  try {
    receiver = await startReceiver({
      port: options.port,
      maxBodyBytes: options.maxBodyBytes,
      maxInflightBytes: options.maxInflightBytes,
      onDelivery: relay.receive,
    });
  } catch (error) {
    await closeForwarders();
    await logFile?.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      // A flag the user chose that cannot be honoured: a usage error (2), as the README's table says.
      throw usageError(
        `--port ${options.port}: port ${options.port} is already in use on 127.0.0.1`,
        "pass another --port, or leave it out for a free one",
        "port_in_use",
      );
    }
    throw error;
  }
  let closing: Promise<void> | null = null;
  return {
    receiver,
    relay,
    targets,
    logFile,
    drain: (ms) => receiver.drain(ms),
    close: () =>
      (closing ??= (async () => {
        await receiver.close();
        await closeForwarders();
        await logFile?.close();
      })()),
  };
}
