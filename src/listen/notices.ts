/**
 * What a listen session says about itself besides deliveries: the tunnel going and coming back,
 * an app (a --forward target) going down and coming back. The session publishes these; the live
 * view's header and the line printer show them.
 */
export type SessionNotice =
  | {
      kind: "tunnel";
      /** reconnecting: cloudflared exited or stopped answering, a new one is being started. */
      state: "reconnecting" | "up";
      /** The public URL once up again. */
      url: string | null;
      /** Why it went, or why the last restart failed. */
      reason: string | null;
      /** Epoch ms. */
      at: number;
    }
  | {
      kind: "app";
      state: "down" | "up";
      /** The target's origin, e.g. http://localhost:3000 */
      target: string;
      /** "connection refused", …, when down. */
      reason: string | null;
      at: number;
    };

type NoticeListener = (notice: SessionNotice) => void;

/**
 * The notices of one session, with the latest state of the tunnel and of each app kept, so that a
 * view mounted later starts from the present instead of from nothing.
 */
export class SessionNotices {
  private readonly latest = new Map<string, SessionNotice>();
  private readonly listeners = new Set<NoticeListener>();

  /** Called with the current states, then with every new notice; returns unsubscribe. */
  subscribe(listener: NoticeListener): () => void {
    for (const notice of this.latest.values()) listener(notice);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(notice: SessionNotice): void {
    this.latest.set(notice.kind === "tunnel" ? "tunnel" : `app ${notice.target}`, notice);
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // A view's bug must not stop the session.
      }
    }
  }
}

/** One line for people: `tunnel reconnecting: cloudflared exited with code 1`, `app down: … (…)`. */
export function noticeText(notice: SessionNotice): string {
  if (notice.kind === "tunnel") {
    return notice.state === "up"
      ? `tunnel back at ${notice.url ?? "?"}`
      : `tunnel reconnecting${notice.reason ? `: ${notice.reason}` : ""}`;
  }
  return notice.state === "down"
    ? `app down: ${notice.target}${notice.reason ? ` (${notice.reason})` : ""}`
    : `app back: ${notice.target}`;
}

/** The notice as one NDJSON object for `listen --json`: `{"notice":"app","state":"down",…}`. */
export function noticeJson(notice: SessionNotice): Record<string, unknown> {
  const { kind, at, ...rest } = notice;
  return { notice: kind, ...rest, at: new Date(at).toISOString() };
}
