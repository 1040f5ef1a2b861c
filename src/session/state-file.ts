import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { configDir } from "../config/paths.js";

/** What a running local-mode listen leaves in the config folder so `trigger` can find it. */
export interface SessionState {
  pid: number;
  receiverUrl: string;
  secret: string;
  forwardUrl: string;
  startedAt: string;
  /** The cloudflared this listen started, so the next one can stop it if this one is killed. */
  cloudflaredPid?: number;
  /** The absolute path of its --log-file, so `fanfare mcp` can read the deliveries it received. */
  logFile?: string;
}

export type ActiveSession = Pick<SessionState, "receiverUrl" | "secret" | "pid" | "forwardUrl" | "logFile">;

export function sessionStatePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "listen-session.json");
}

/** Written owner-only: it holds the signing secret. */
export async function writeSessionState(state: SessionState, env: NodeJS.ProcessEnv): Promise<string> {
  const path = sessionStatePath(env);
  await mkdir(configDir(env), { recursive: true, mode: 0o700 });
  await writeFile(path, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  return path;
}

/** Removes the file, but only if it is still this process's (a newer listen may have replaced it). */
export async function removeSessionState(pid: number, env: NodeJS.ProcessEnv): Promise<void> {
  const state = await readState(sessionStatePath(env));
  if (state && state.pid !== pid) return;
  await rm(sessionStatePath(env), { force: true });
}

/** The same, synchronously, for the last moment of a process that is exiting. */
export function removeSessionStateSync(pid: number, env: NodeJS.ProcessEnv): void {
  // Lazy require keeps node:fs's sync API off the start-up path of every other command.
  const fs = process.getBuiltinModule?.("node:fs") as typeof import("node:fs") | undefined;
  if (!fs) return;
  try {
    const state = JSON.parse(fs.readFileSync(sessionStatePath(env), "utf8")) as Partial<SessionState>;
    if (state.pid === pid) fs.rmSync(sessionStatePath(env), { force: true });
  } catch {
    // Already gone or unreadable: nothing to clean up.
  }
}

/**
 * The running local listen session, or null when there is none. A file left behind by a listen that
 * was killed (its pid no longer alive) counts as none.
 */
export async function readActiveSession(env: NodeJS.ProcessEnv): Promise<ActiveSession | null> {
  const state = await readState(sessionStatePath(env));
  if (!state || !isAlive(state.pid)) return null;
  return {
    receiverUrl: state.receiverUrl,
    secret: state.secret,
    pid: state.pid,
    forwardUrl: state.forwardUrl,
    ...(typeof state.logFile === "string" ? { logFile: state.logFile } : {}),
  };
}

/**
 * The file of a listen that is gone without cleaning up (killed with -9, a crash, a power cut), or
 * null: none, or its listen is still running.
 */
export async function readLeftoverSession(env: NodeJS.ProcessEnv): Promise<SessionState | null> {
  const state = await readState(sessionStatePath(env));
  return state && !isAlive(state.pid) ? state : null;
}

async function readState(path: string): Promise<SessionState | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<SessionState>;
    if (
      typeof value.pid === "number" &&
      typeof value.receiverUrl === "string" &&
      typeof value.secret === "string" &&
      typeof value.forwardUrl === "string"
    ) {
      return { startedAt: "", ...value } as SessionState;
    }
  } catch {
    // A half-written or hand-edited file is no session.
  }
  return null;
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
