import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirInUseError, lockDataDir } from "../../src/emulator/data-dir-lock.js";

/** A pid that is certainly not running (beyond Linux's pid_max). */
const DEAD_PID = 4_194_304 + 23;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), "fanfare-lock-"));
  dirs.push(dir);
  return dir;
};

describe("lockDataDir", () => {
  it("takes the folder (owner-only), refuses it while held by a live process, and gives it back", () => {
    const dir = folder();
    const release = lockDataDir(dir);
    const lock = join(dir, "emulator.lock");
    expect(readFileSync(lock, "utf8").trim()).toBe(String(process.pid));
    expect(statSync(lock).mode & 0o777).toBe(0o600);
    // Held by this (live) process: a second store on the folder is refused, whoever opens it.
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir, process.ppid)).toThrow(expect.objectContaining({ pid: process.pid, lockPath: lock }));
    release();
    expect(existsSync(lock)).toBe(false);
    lockDataDir(dir)();
  });

  it("takes over a lock left by a process that is gone (a kill -9), and one that names no pid", () => {
    const dir = folder();
    const lock = join(dir, "emulator.lock");
    for (const left of [`${DEAD_PID}\n`, "not a pid"]) {
      writeFileSync(lock, left);
      const release = lockDataDir(dir);
      expect(readFileSync(lock, "utf8").trim()).toBe(String(process.pid));
      release();
    }
  });

  it("a release does not remove a lock another process has taken since", () => {
    const dir = folder();
    const release = lockDataDir(dir);
    const lock = join(dir, "emulator.lock");
    writeFileSync(lock, `${process.ppid}\n`);
    release();
    expect(readFileSync(lock, "utf8").trim()).toBe(String(process.ppid));
  });
});
