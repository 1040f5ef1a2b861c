import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { ApiClient } from "../api/client.js";
import { isAlive, readLeftoverSessions, removeSessionState } from "../session/state-file.js";

/** The description of a temporary endpoint: it names the machine and the pid that may delete it. */
export function temporaryEndpointDescription(pid: number): string {
  return `fanfare webhooks listen on ${hostname()} (temporary, pid ${pid})`;
}

const TEMPORARY = /^fanfare webhooks listen on (.+) \(temporary, pid (\d+)\)$/;

/**
 * What a listen that was killed before its clean-up (kill -9, a crash) left behind, removed by the
 * next connected listen of the same profile: the temporary endpoints it created on this machine,
 * which would otherwise go on receiving (and failing) deliveries, and the cloudflared it started,
 * recorded in its session file. Returns what was done, one line each, for the user to read.
 */
export async function removeLeftovers(client: ApiClient, options: { env: NodeJS.ProcessEnv; pid: number }): Promise<string[]> {
  const done: string[] = [];
  for (const leftover of await readLeftoverSessions(options.env)) {
    const tunnelPid = leftover.cloudflaredPid;
    if (tunnelPid !== undefined && isAlive(tunnelPid) && isCloudflared(tunnelPid)) {
      try {
        process.kill(tunnelPid, "SIGTERM");
        done.push(`stopped cloudflared (pid ${tunnelPid}) left by a listen that was killed (pid ${leftover.pid})`);
      } catch {
        // Gone in the meantime.
      }
    }
    await removeSessionState(leftover.pid, options.env);
  }
  const here = hostname();
  for (const endpoint of await client.listEndpoints()) {
    const match = TEMPORARY.exec(endpoint.description ?? "");
    if (!match || match[1] !== here) continue;
    const pid = Number(match[2]);
    if (pid === options.pid || isAlive(pid)) continue;
    try {
      await client.deleteEndpoint(endpoint.id);
      done.push(`deleted temporary endpoint ${endpoint.id} left by a listen that was killed (pid ${pid})`);
    } catch (error) {
      // Another listen may have got there first; anything else is worth a line, not a failed start.
      if ((error as { apiCode?: string }).apiCode !== "not_found") {
        done.push(`could not delete temporary endpoint ${endpoint.id} left by pid ${pid}: ${(error as Error).message}`);
      }
    }
  }
  return done;
}

/**
 * Whether the process is a cloudflared: a pid in an old file may since have been given to another
 * program. Where the process table cannot be read (not Linux), nothing is stopped.
 */
function isCloudflared(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("cloudflared");
  } catch {
    return false;
  }
}
