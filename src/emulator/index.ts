import type { AddressInfo } from "node:net";
import { generateApiKey } from "./auth.js";
import { DeliveryEngine, type Sender } from "./engine.js";
import { DeliverySender } from "./send.js";
import { createApiServer } from "./server.js";
import { edit, EmulatorStore } from "./store.js";

interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Keep state in this folder (created 0700) across restarts; in memory only without it. */
  dataDir?: string;
  /** Divides every delay of the retry schedule; 600 turns 1 min into 0.1 s. Default 1. */
  timeScale?: number;
  /** Keys the API accepts; without any, one is generated (returned as apiKey). */
  apiKeys?: string[];
  /** Per delivery attempt. Default 30 s, the platform's documented limit. */
  deliveryTimeoutMs?: number;
  /** How long test/redeliver answers wait for their attempt. Default 10 s. */
  replyWaitMs?: number;
  /** One line per request and per delivery attempt. */
  log?: (line: string) => void;
  /** Replaces the HTTP sender (tests of the engine's bookkeeping); the default posts with undici. */
  sender?: Sender;
  /** The journal is compacted once larger than the snapshot and this (tests set it low). Default 1 MB. */
  compactMinBytes?: number;
}

export interface RunningEmulator {
  /** The API base, e.g. http://127.0.0.1:8787/api (what FANFARE_API_BASE takes). */
  url: string;
  /** The first accepted key (the generated one when none was given). */
  apiKey: string;
  /** Deliveries resumed from the data folder at start. */
  resumed: number;
  /** What loading the data folder had to say (a torn last record dropped, an old file migrated). */
  notices: string[];
  close(): Promise<void>;
}

const DEFAULT_EMULATOR_PORT = 8787;
const DEFAULT_DELIVERY_TIMEOUT_MS = 30_000;

/** Starts the admin API emulator with its delivery engine; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const timeScale = options.timeScale ?? 1;
  if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new RangeError(`timeScale must be a positive number, not ${timeScale}`);
  const apiKeys = options.apiKeys?.filter((k) => k.trim() !== "") ?? [];
  const store = EmulatorStore.open(options.dataDir, { compactMinBytes: options.compactMinBytes, log: options.log });
  if (apiKeys.length === 0) {
    const key = store.generatedApiKey() ?? generateApiKey();
    if (store.persistent && key !== store.generatedApiKey()) {
      store.change((state) => edit.setGeneratedApiKey(state, key));
      // Printed once it is kept: the next start must accept what this one shows.
      await store.durable();
    }
    apiKeys.push(key);
  }

  const sender = options.sender ?? new DeliverySender(options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS);
  const engine = new DeliveryEngine({ store, sender, timeScale, log: options.log });
  const server = createApiServer({
    store,
    engine,
    apiKeys,
    replyWaitMs: options.replyWaitMs ?? 10_000,
    log: options.log,
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_EMULATOR_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (error) => {
    await engine.close();
    await store.close();
    throw error;
  });
  // Retries that were pending when the last run stopped carry on (overdue ones at once). A failure
  // here stops everything: the emulator never serves a state it could not fully take up.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await engine.close();
      // Requests still waiting on an attempt have had their answer by now; drop what is left.
      server.closeAllConnections();
      await stopped;
      // Changes made up to here (attempts that ended) are written before the folder is let go.
      await store.close();
    })());
  let resumed: number;
  try {
    resumed = engine.resume();
  } catch (error) {
    await close();
    throw error;
  }

  const { port } = server.address() as AddressInfo;
  // A wildcard address is reached through loopback from this machine.
  const urlHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/api`,
    apiKey: apiKeys[0]!,
    resumed,
    notices: [...store.notices],
    close,
  };
}
