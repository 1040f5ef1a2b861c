import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Delivery, Endpoint } from "../api/types.js";
import { stateProblem } from "./state-shape.js";

/** What the emulator keeps between runs, in one JSON file. */
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

export const STATE_FILE = "emulator-state.json";
const TEMP_SUFFIX = ".tmp";

export function emptyState(): EmulatorState {
  return { version: 1, endpoints: [], deliveries: {} };
}

/**
 * The state in `dir`, or an empty one when there is none yet. Temp files left by a crash in the
 * middle of a write are removed: the rename never happened, so the state file is still the last
 * complete write.
 */
export function loadState(dir: string): EmulatorState {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(dir)) {
    if (name.startsWith(STATE_FILE + ".") && name.endsWith(TEMP_SUFFIX)) rmSync(join(dir, name), { force: true });
  }
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${join(dir, STATE_FILE)} is not valid JSON; move it away to start afresh`);
  }
  const problem = stateProblem(parsed);
  if (problem) {
    throw new Error(`${join(dir, STATE_FILE)} cannot be used (${problem}); move it away to start afresh`);
  }
  return parsed as EmulatorState;
}

let tempCounter = 0;

/**
 * Writes the whole state so that a crash at any moment leaves either the previous file or the new
 * one, never a torn mix: a temp file in the same folder (same file system, so rename is atomic),
 * flushed to disk, then renamed over the old one. Synchronous on purpose: the HTTP answer that
 * acknowledges a change is only sent after this returns, and writes can never interleave.
 */
export function saveState(dir: string, state: EmulatorState): void {
  const target = join(dir, STATE_FILE);
  const temp = `${target}.${process.pid}.${++tempCounter}${TEMP_SUFFIX}`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  // The rename itself lives in the folder's entry; flush it too where the platform allows.
  try {
    const dirFd = openSync(dir, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Windows cannot open a folder for fsync; the rename is still atomic there.
  }
}
