import { failure, usageError } from "../errors.js";
import type { HttpClientFactory } from "../http/client.js";
import { Forwarder } from "./forwarder.js";
import { DeliveryLogFile } from "./log-file.js";
import { startReceiver, type Receiver } from "./receiver.js";
import { DeliveryRelay } from "./relay.js";

export interface RelayPartsOptions {
  forwardUrl: URL;
  /** 0 picks a free port. */
  port: number;
  /** null when there is nothing to verify with (a reused endpoint, no --secret). */
  secret: string | null;
  unverifiableReason?: string;
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
  forwarder: Forwarder;
  logFile: DeliveryLogFile | null;
  /** Stops taking deliveries, then closes the forwarder and flushes the log file. Idempotent. */
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
      throw failure(
        `cannot open --log-file ${options.logFilePath}: ${(error as Error).message}`,
        "pass a path in a folder you can write to",
        "log_file",
      );
    }
  }
  const forwarder = await Forwarder.create(options.forwardUrl, {
    extraHeaders: options.extraHeaders,
    timeoutMs: options.timeoutMs,
    http: options.http,
  });
  const relay = new DeliveryRelay({
    forwarder,
    secret: options.secret,
    unverifiableReason: options.unverifiableReason,
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
    await forwarder.close();
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
    forwarder,
    logFile,
    close: () =>
      (closing ??= (async () => {
        await receiver.close();
        await forwarder.close();
        await logFile?.close();
      })()),
  };
}
