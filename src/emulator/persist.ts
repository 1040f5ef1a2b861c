import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Delivery, Endpoint } from "../api/types.js";
import { stateProblem } from "./state-shape.js";

/** What the emulator keeps between runs (journal.ts keeps it on disk). */
export interface EmulatorState {
  version: 1;
  /** Secrets in full: the file is the emulator's own database (mode 0600). */
  endpoints: Endpoint[];
  /** Per endpoint, newest first, at most DELIVERIES_KEPT. */
  deliveries: Record<string, DeliveryRecord[]>;
  /**
   * The key generated when none was given, kept so that a restart with the same folder accepts
   * the key already exported in other terminals.
   */
  generatedApiKey?: string;
}

export interface DeliveryRecord {
  delivery: Delivery;
  /**
   * The attempt count when the current run of the retry schedule began: 0 for the original event,
   * the count at the time for a redelivery, which gets a schedule of its own.
   */
  runStart: number;
}

/**
 * The single JSON file of earlier versions, which rewrote it whole on every change. It is read
 * once, when a data folder has no snapshot yet, and then replaced by the journal (journal.ts).
 */
export const STATE_FILE = "emulator-state.json";

export function emptyState(): EmulatorState {
  return { version: 1, endpoints: [], deliveries: {} };
}

/** The state in an old single-file data folder, checked like everything loaded; undefined when there is none. */
export function readLegacyState(dir: string): EmulatorState | undefined {
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; move it away to start afresh`);
  }
  const problem = stateProblem(parsed);
  if (problem) throw new Error(`${file} cannot be used (${problem}); move it away to start afresh`);
  return parsed as EmulatorState;
}
