import { useEffect } from "react";
import type { ListenViewAction, StatusMessage } from "./listen-state.js";

/** Clears a status message when it expires; the reducer itself never reads a clock. */
export function useMessageExpiry(message: StatusMessage | null, dispatch: (action: ListenViewAction) => void): void {
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(
      () => dispatch({ type: "tick", now: Date.now() }),
      Math.max(0, message.expiresAt - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [message, dispatch]);
}
