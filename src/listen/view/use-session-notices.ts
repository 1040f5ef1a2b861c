import { useEffect, useState } from "react";
import type { SessionNotice } from "../notices.js";
import type { ListenViewSource } from "../types.js";

/**
 * The latest notice about the tunnel and about each app, for the header: kept in component state
 * (they are rare, a few an hour), apart from the delivery reducer.
 */
export function useSessionNotices(source: Pick<ListenViewSource, "subscribeNotices">): readonly SessionNotice[] {
  const [notices, setNotices] = useState<readonly SessionNotice[]>([]);
  useEffect(() => {
    if (!source.subscribeNotices) return;
    return source.subscribeNotices((notice) => {
      const key = noticeKey(notice);
      setNotices((previous) => [...previous.filter((n) => noticeKey(n) !== key), notice]);
    });
  }, [source]);
  return notices;
}

function noticeKey(notice: SessionNotice): string {
  return notice.kind === "tunnel" ? "tunnel" : `app ${notice.target}`;
}
