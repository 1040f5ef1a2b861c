import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { configDir } from "../config/paths.js";

/** What a running listen leaves in the config folder so `trigger` can find it. */
export interface SessionState {
  pid: number;
  receiverUrl: string;
  secret: string;
  /** The first --forward's URL. */
  forwardUrl: string;
  /** Every --forward, when there are several or one has a pattern (what `check` must know of). */
  forwards?: Array<{ pattern: string | null; url: string }>;
  startedAt: string;
  /** The cloudflared this listen started, so the next one can stop it if this one is killed. */
  cloudflaredPid?: number;
  /** The absolute path of its --log-file, so `fanfare mcp` can read the deliveries it received. */
  logFile?: string;
}

type ActiveSession = Pick<SessionState, "receiverUrl" | "secret" | "pid" | "forwardUrl" | "forwards" | "startedAt" | "logFile">;

/**
 * Each listen has its own file, named by its pid, in this folder: several may run at once (two apps,
 * two terminals), and one exiting must not hide the others from `trigger`.
 */
export function sessionsDir(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "listen-sessions");
}

export function sessionStatePath(env: NodeJS.ProcessEnv, pid: number): string {
  return join(sessionsDir(env), `${pid}.json`);
}

/** Written owner-only: it holds the signing secret. */
export async function writeSessionState(state: SessionState, env: NodeJS.ProcessEnv): Promise<string> {
  const path = sessionStatePath(env, state.pid);
  await mkdir(sessionsDir(env), { recursive: true, mode: 0o700 });
  await writeFile(path, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  return path;
}

/** Removes this process's file. */
export async function removeSessionState(pid: number, env: NodeJS.ProcessEnv): Promise<void> {
  await rm(sessionStatePath(env, pid), { force: true });
}

/** The same, synchronously, for the last moment of a process that is exiting. */
export function removeSessionStateSync(pid: number, env: NodeJS.ProcessEnv): void {
  // Lazy require keeps node:fs's sync API off the start-up path of every other command.
  const fs = process.getBuiltinModule?.("node:fs") as typeof import("node:fs") | undefined;
  if (!fs) return;
  try {
    fs.rmSync(sessionStatePath(env, pid), { force: true });
  } catch {
    // Already gone: nothing to clean up.
  }
}

/**
 * Every running listen session, oldest first. Files left by a listen that was killed (its pid no longer
 * alive) are not sessions; they are removed here, unless they still name a cloudflared that is running
 * (the next listen stops it, and needs the file for that).
 */
export async function readActiveSessions(env: NodeJS.ProcessEnv): Promise<ActiveSession[]> {
  const active: ActiveSession[] = [];
  for (const state of await readAllStates(env)) {
    if (isAlive(state.pid)) {
      active.push({
        receiverUrl: state.receiverUrl,
        secret: state.secret,
        pid: state.pid,
        forwardUrl: state.forwardUrl,
        startedAt: state.startedAt,
        ...(typeof state.logFile === "string" ? { logFile: state.logFile } : {}),
        ...(validForwards(state.forwards) ? { forwards: state.forwards } : {}),
      });
    } else if (state.cloudflaredPid === undefined || !isAlive(state.cloudflaredPid)) {
      await removeSessionState(state.pid, env);
    }
  }
  return active.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.pid - b.pid);
}

/**
 * The most recently started running session, or null: for what sends to one listen (replay, the MCP
 * tools), as the single session file did before several listens could run. trigger sends to all.
 */
export async function readActiveSession(env: NodeJS.ProcessEnv): Promise<ActiveSession | null> {
  return (await readActiveSessions(env)).at(-1) ?? null;
}

/** The files of listens that are gone without cleaning up (killed with -9, a crash, a power cut). */
export async function readLeftoverSessions(env: NodeJS.ProcessEnv): Promise<SessionState[]> {
  return (await readAllStates(env)).filter((state) => !isAlive(state.pid));
}

async function readAllStates(env: NodeJS.ProcessEnv): Promise<SessionState[]> {
  let names: string[];
  try {
    names = await readdir(sessionsDir(env));
  } catch {
    return [];
  }
  const states: SessionState[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    const state = await readState(join(sessionsDir(env), name));
    if (state) states.push(state);
  }
  return states;
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

function validForwards(value: unknown): value is SessionState["forwards"] {
  return (
    Array.isArray(value) &&
    value.every((f) => typeof f === "object" && f !== null && typeof f.url === "string" && (f.pattern === null || typeof f.pattern === "string"))
  );
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
