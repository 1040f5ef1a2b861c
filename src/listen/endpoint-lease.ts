import type { ApiClient } from "../api/client.js";

/**
 * The endpoint a connected listen session receives for, held for the session's lifetime and given
 * back on exit: a temporary endpoint is deleted; a reused one (--endpoint) gets its URL back.
 */
export interface EndpointLease {
  endpointId: string;
  temporary: boolean;
  /** The events the endpoint is subscribed to. */
  events: string[];
  /** Points the endpoint at a new URL (a restarted tunnel's); throws what the API said. */
  repoint(url: string): Promise<void>;
  /** Gives the endpoint back; resolves to a warning when that failed (never throws). Idempotent. */
  release(): Promise<string | null>;
  /**
   * What leaving now, without giving the endpoint back (a second Ctrl-C cannot wait for an HTTP call),
   * leaves behind, said for the user to act on; null when nothing is (already given back, or not moved).
   */
  leftBehind(): string | null;
}

type ReleaseState = "held" | "releasing" | "released";

/** Tracks whether release() has been asked for and has finished, for leftBehind(). */
function tracked(release: () => Promise<string | null>): { release: () => Promise<string | null>; state: () => ReleaseState } {
  let state: ReleaseState = "held";
  const run = once(release);
  return {
    release: () => {
      if (state === "held") state = "releasing";
      return run().then((warning) => {
        // A failed release left the endpoint as it was: still worth saying on a second Ctrl-C.
        state = warning === null ? "released" : "held";
        return warning;
      });
    },
    state: () => state,
  };
}

/** How long giving an endpoint back may take on exit before listen gives up and says so. */
const RELEASE_TIMEOUT_MS = 10_000;

function once(fn: () => Promise<string | null>): () => Promise<string | null> {
  let running: Promise<string | null> | null = null;
  return () => (running ??= withTimeout(fn()));
}

function withTimeout(work: Promise<string | null>): Promise<string | null> {
  let timer: NodeJS.Timeout;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer from the API within ${RELEASE_TIMEOUT_MS / 1000} s`), RELEASE_TIMEOUT_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface TemporaryEndpointInput {
  url: string;
  events: string[];
  /** The session's stable secret, so the local app's configuration never changes. */
  secret: string;
  description: string;
}

export async function leaseTemporaryEndpoint(client: ApiClient, input: TemporaryEndpointInput): Promise<EndpointLease> {
  const endpoint = await client.createEndpoint({
    url: input.url,
    events: input.events,
    description: input.description,
    enabled: true,
    secret: input.secret,
  });
  const release = tracked(async () => {
    try {
      await client.deleteEndpoint(endpoint.id);
      return null;
    } catch (error) {
      // Already gone (deleted by hand meanwhile) is what we wanted anyway.
      if ((error as { status?: number }).status === 404) return null;
      return `could not delete the temporary endpoint ${endpoint.id}: ${reason(error)} (delete it with: fanfare webhooks endpoints delete ${endpoint.id})`;
    }
  });
  return {
    endpointId: endpoint.id,
    temporary: true,
    events: endpoint.events,
    repoint: async (url) => {
      await client.updateEndpoint(endpoint.id, { url });
    },
    release: release.release,
    leftBehind: () => {
      const state = release.state();
      if (state === "released") return null;
      // Its description names this pid: the next connected listen on this machine deletes it.
      return state === "releasing"
        ? `left temporary endpoint ${endpoint.id} unless its delete, under way, got through (the next listen removes it)`
        : `left temporary endpoint ${endpoint.id} (the next listen removes it)`;
    },
  };
}

/**
 * Reuses an existing endpoint: it is pointed at this session's URL (unless it already is) and its
 * own URL is put back on exit.
 */
export async function leaseExistingEndpoint(client: ApiClient, id: string, url: string): Promise<EndpointLease> {
  const endpoint = await client.getEndpoint(id);
  const original = endpoint.url;
  // Whether the endpoint was moved away from its own URL, and so must get it back.
  let moved = false;
  if (original !== url) {
    await client.updateEndpoint(id, { url });
    moved = true;
  }
  const release = tracked(async () => {
    if (!moved) return null;
    try {
      await client.updateEndpoint(id, { url: original });
      return null;
    } catch (error) {
      return `could not point endpoint ${id} back at ${original}: ${reason(error)} (fanfare webhooks endpoints update ${id} --url ${original})`;
    }
  });
  return {
    endpointId: id,
    temporary: false,
    events: endpoint.events,
    repoint: async (next) => {
      await client.updateEndpoint(id, { url: next });
      moved = next !== original;
    },
    release: release.release,
    // Not a leftover the next listen knows of: the user must point it back.
    leftBehind: () =>
      !moved || release.state() === "released"
        ? null
        : `left endpoint ${id} pointed at this listen (point it back with: fanfare webhooks endpoints update ${id} --url ${original})`,
  };
}
