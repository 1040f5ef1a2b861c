import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { isAlive } from "../session/state-file.js";

const LOCK_FILE = "emulator.lock";

/** Another running emulator holds the data folder. */
export class DataDirInUseError extends Error {
  readonly code = "FANFARE_DATA_DIR_IN_USE";
  constructor(
    readonly pid: number,
    readonly lockPath: string,
  ) {
    super(`in use by another emulator (pid ${pid})`);
    this.name = "DataDirInUseError";
  }
}

/**
 * Takes the data folder for this process, or throws DataDirInUseError. Two emulators on one folder
 * would each rewrite the snapshot and journals from their own memory, losing what the other had
 * acknowledged. A lock left by a process that is gone (killed) is taken over. Returns the release.
 */
export function lockDataDir(dir: string, pid = process.pid): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOCK_FILE);
  for (let tries = 0; ; tries++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => {
        if (holderOf(path) === pid) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = holderOf(path);
      // This process's own pid too: a store opened twice on one folder is the same mistake.
      if (holder !== null && isAlive(holder)) throw new DataDirInUseError(holder, path);
      // Left by a process that is gone; a second emulator taking it over at the same moment wins
      // the next try, and this one then finds it alive.
      if (tries > 0) throw error;
      rmSync(path, { force: true });
    }
  }
}

function holderOf(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
