import { useCallback, useRef, useState } from "react";
import {
  createListenViewState,
  reduceListenView,
  type ListenStateOptions,
  type ListenViewAction,
  type ListenViewState,
} from "./listen-state.js";

interface ListenStore {
  state: ListenViewState;
  dispatch: (action: ListenViewAction) => void;
  /**
   * The state after every action so far, even those React has not rendered yet: several keys can
   * arrive in one chunk of input, and each must see what the one before it did.
   */
  getState: () => ListenViewState;
}

/** The view's state: the pure reducer of listen-state.ts, held in a ref and mirrored into React. */
export function useListenStore(options: ListenStateOptions = {}): ListenStore {
  const ref = useRef<ListenViewState | null>(null);
  if (ref.current === null) ref.current = createListenViewState(options);
  const [state, setState] = useState(ref.current);
  const dispatch = useCallback((action: ListenViewAction) => {
    const next = reduceListenView(ref.current!, action);
    if (next === ref.current) return;
    ref.current = next;
    setState(next);
  }, []);
  const getState = useCallback(() => ref.current!, []);
  return { state, dispatch, getState };
}
