import { useApp, useInput, type Key } from "ink";
import { useRef } from "react";
import type { DeliveryRecord } from "../types.js";
import { isKeyChunk, splitKeyChunk } from "./key-chunks.js";
import { MAX_CLIPBOARD_BYTES } from "./clipboard.js";
import { formatBytes } from "./delivery-format.js";
import { detailLinesOf } from "./delivery-details.js";
import type { ListenViewLayout } from "./listen-layout.js";
import { selectedRecord, type ListenViewAction, type ListenViewState } from "./listen-state.js";

export type QuitReason = "quit" | "interrupt";

interface ListenKeysOptions {
  getState: () => ListenViewState;
  dispatch: (action: ListenViewAction) => void;
  /** Resolves with a line to show (how a redelivery went), or nothing. */
  replay: (record: DeliveryRecord) => Promise<string | void>;
  /** What `r` is called in messages: replay (listen) or redelivery (the platform's log). */
  replayWords?: { doing: string; noun: string };
  layout: ListenViewLayout;
  /** The terminal's width: the details pane wraps to it, so its line count depends on it. */
  columns: number;
  /** `c`: puts the text on the user's clipboard (OSC 52 by default). */
  copyText: (text: string) => void;
  /** `w`: writes the delivery (headers and raw body) to a file; resolves to its name. */
  saveDelivery: (record: DeliveryRecord) => Promise<string>;
  /** "interrupt" for Ctrl-C (the session exits 130), "quit" for `q`. */
  onQuit?: (reason: QuitReason) => void;
  /** False when stdin is not a terminal (no raw mode): the view only shows. */
  isActive: boolean;
}

/**
 * The live view's keys. Which keys mean what depends on the mode (typing a filter, reading details,
 * browsing the list), read from the store at the moment of the key so that keys arriving in one
 * chunk apply in order.
 */
export function useListenKeys({
  getState,
  dispatch,
  replay,
  replayWords = { doing: "replaying", noun: "replay" },
  layout,
  columns,
  copyText,
  saveDelivery,
  onQuit,
  isActive,
}: ListenKeysOptions): void {
  const { exit } = useApp();

  /** Set once quitting: keys after `q` in the same chunk must not act on a closing session. */
  const quitting = useRef(false);
  const quit = (reason: QuitReason = "quit"): void => {
    quitting.current = true;
    onQuit?.(reason);
    exit();
  };

  const startReplay = (record: DeliveryRecord | null): void => {
    if (!record) return;
    dispatch({ type: "message", text: `${replayWords.doing} ${record.id} (#${record.seq})`, now: Date.now() });
    replay(record).then(
      (result) => {
        if (result) dispatch({ type: "message", text: result, now: Date.now() });
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        dispatch({ type: "message", tone: "error", text: `${replayWords.noun} of ${record.id} failed: ${reason}`, now: Date.now() });
      },
    );
  };

  const copyBody = (record: DeliveryRecord | null): void => {
    if (!record) return;
    const say = (text: string, tone?: "error") => dispatch({ type: "message", tone, text, now: Date.now() });
    const { body } = record.request;
    if (body.length > MAX_CLIPBOARD_BYTES) {
      return say(`body of ${record.id} is ${formatBytes(body.length)}, too large for the clipboard: w writes it to a file`, "error");
    }
    copyText(body.toString("utf8"));
    say(`copied the body of ${record.id} (${formatBytes(body.length)}) to the clipboard`);
  };

  const writeFile = (record: DeliveryRecord | null): void => {
    if (!record) return;
    saveDelivery(record).then(
      (path) => dispatch({ type: "message", text: `wrote ${path} (headers and raw body)`, now: Date.now() }),
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        dispatch({ type: "message", tone: "error", text: `could not write ${record.id}: ${reason}`, now: Date.now() });
      },
    );
  };

  const onFilterKey = (input: string, key: Key): void => {
    if (key.escape) dispatch({ type: "clearFilter" });
    else if (key.return) dispatch({ type: "applyFilter" });
    else if (key.backspace || key.delete) dispatch({ type: "filterBackspace" });
    else if (input && !key.ctrl && !key.meta) dispatch({ type: "filterInput", text: input });
  };

  const onDetailKey = (input: string, key: Key, state: ListenViewState): void => {
    const detail = state.detail!;
    const scroll = (delta: number): void =>
      dispatch({
        type: "scrollDetail",
        delta,
        lineCount: detailLinesOf(detail.record, columns).length,
        viewportRows: layout.detailRows,
      });
    if (key.escape || key.return || key.leftArrow || input === "d") dispatch({ type: "closeDetail" });
    else if (key.upArrow || input === "k") scroll(-1);
    else if (key.downArrow || input === "j") scroll(1);
    else if (key.pageUp) scroll(-layout.detailRows);
    else if (key.pageDown || input === " ") scroll(layout.detailRows);
    else if (key.home || input === "g") scroll(-Infinity);
    else if (key.end || input === "G") scroll(Infinity);
    else if (input === "r") startReplay(detail.record);
    else if (input === "c") copyBody(detail.record);
    else if (input === "w") writeFile(detail.record);
    else if (input === "s") dispatch({ type: "toggleSecret" });
    else if (input === "q") quit("quit");
  };

  const onListKey = (input: string, key: Key, state: ListenViewState): void => {
    const rows = layout.listRows;
    if (key.upArrow || input === "k") dispatch({ type: "move", delta: -1, viewportRows: rows });
    else if (key.downArrow || input === "j") dispatch({ type: "move", delta: 1, viewportRows: rows });
    else if (key.pageUp) dispatch({ type: "move", delta: -rows, viewportRows: rows });
    else if (key.pageDown) dispatch({ type: "move", delta: rows, viewportRows: rows });
    else if (key.home || input === "g") dispatch({ type: "moveTo", where: "first", viewportRows: rows });
    else if (key.end || input === "G") dispatch({ type: "moveTo", where: "last", viewportRows: rows });
    else if (key.return || input === "d") dispatch({ type: "openDetail", viewportRows: layout.detailRows });
    else if (input === "r") startReplay(selectedRecord(state));
    else if (input === "c") copyBody(selectedRecord(state));
    else if (input === "w") writeFile(selectedRecord(state));
    else if (input === "/") dispatch({ type: "startFilter" });
    else if (input === "p") dispatch({ type: "togglePause" });
    else if (input === "f") dispatch({ type: "toggleFailedOnly" });
    else if (input === "s") dispatch({ type: "toggleSecret" });
    else if (input === "q") quit("quit");
    else if (key.escape && state.filter) dispatch({ type: "clearFilter" });
  };

  const onKey = (input: string, key: Key): void => {
    // Ink's own Ctrl-C exit is off so that quitting always goes through onQuit (the session's cleanup).
    if (key.ctrl && input === "c") return quit("interrupt");
    const state = getState();
    if (state.filterDraft !== null) onFilterKey(input, key);
    else if (state.detail) onDetailKey(input, key, state);
    else onListKey(input, key, state);
  };

  /**
   * Several keys in one chunk (paste, fast typing, `tmux send-keys "p s"`): one at a time, each
   * seeing the state the one before left. While the filter prompt is open the typed characters are
   * its text, handed over as one run; Enter, Backspace or Ctrl-keys in the chunk still act as keys.
   */
  const onChunk = (input: string): void => {
    const strokes = splitKeyChunk(input);
    let i = 0;
    while (i < strokes.length && !quitting.current) {
      if (getState().filterDraft !== null) {
        let text = "";
        while (i < strokes.length && strokes[i]!.input && !strokes[i]!.key.ctrl) text += strokes[i++]!.input;
        if (text) {
          onFilterKey(text, strokes[i - 1]!.key);
          continue;
        }
      }
      const { input: one, key } = strokes[i++]!;
      onKey(one, key);
    }
  };

  useInput((input, key) => (isKeyChunk(input, key) ? onChunk(input) : onKey(input, key)), { isActive });
}
