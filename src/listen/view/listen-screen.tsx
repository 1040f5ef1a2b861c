import { Box, useStdout } from "ink";
import { useEffect } from "react";
import { writeDeliveryFile } from "../delivery-file.js";
import type { DeliveryRecord } from "../types.js";
import { osc52 } from "./clipboard.js";
import { DeliveryCounters } from "./delivery-counters.js";
import { DeliveryDetails } from "./delivery-details.js";
import { DeliveryList } from "./delivery-list.js";
import { listenViewLayout } from "./listen-layout.js";
import { arrivedWhilePaused, heldDeliveries, listWindow, p50Latency } from "./listen-state.js";
import { nextStep } from "../banner.js";
import { isDeliveryLogSource, type LiveViewSource } from "../types.js";
import { DeliveryLogCounters } from "./delivery-log-counters.js";
import { DeliveryLogHeader } from "./delivery-log-header.js";
import { SessionHeader } from "./session-header.js";
import type { SessionInfo } from "../types.js";
import { StatusBar } from "./status-bar.js";
import { useDeliveryStream } from "./use-delivery-stream.js";
import { useListenKeys, type QuitReason } from "./use-listen-keys.js";
import { useListenStore } from "./use-listen-store.js";
import { useMessageExpiry } from "./use-message-expiry.js";
import { useTerminalSize } from "./use-terminal-size.js";
import { useSessionNotices } from "./use-session-notices.js";

export interface ListenScreenProps {
  /** listen's relay, or the platform's delivery log (`deliveries tail`): one view for both. */
  source: LiveViewSource;
  /** Called on `q` and Ctrl-C, before the view exits. */
  onQuit?: (reason: QuitReason) => void;
  /** False when stdin is not a terminal: the view shows but takes no keys. */
  interactive?: boolean;
  /** Fixed size instead of the terminal's (tests, demos). */
  rows?: number;
  columns?: number;
  /** Most records kept for browsing (counters cover all of them). */
  capacity?: number;
  flushIntervalMs?: number;
  /** `c`: how text reaches the clipboard (default: OSC 52 on Ink's stdout). */
  copyText?: (text: string) => void;
  /** `w`: where a delivery is written (default: delivery-<id>.http in the current folder). */
  saveDelivery?: (record: DeliveryRecord) => Promise<string>;
}

/**
 * The live view of `fanfare webhooks listen` (mounted by renderListenView in listen-view.tsx):
 *
 *   fanfare listen  local  forwarding to http://localhost:3000/webhooks
 *   public none (local mode)  receiver http://127.0.0.1:43123/webhooks
 *   secret whsec_••••••••k3Jq (s shows)  events all
 *   received 3  ok 2  failed 1  bad signature 0  p50 4 ms
 *     TIME      EVENT                 DELIVERY          TRY SIG STS DURATION
 *     12:00:01  draw.consumer.won     whk_01JD…XK2M       1  ✓  200     4 ms
 *   > 12:00:02  draw.entry.created    whk_01JD…Q9ZT       1  ✓  500    12 ms
 *
 *   ↑/↓ select  enter/d details  r replay  f failed only  / filter  p pause  s secret  q quit
 *
 * Fed by the platform's delivery log (`deliveries tail`), the header says what is tailed and how
 * polling goes, the rows show endpoint, status and next retry, details list every attempt, and `r`
 * redelivers.
 */
export function ListenScreen({
  source,
  onQuit,
  interactive = true,
  rows,
  columns,
  capacity,
  flushIntervalMs,
  copyText,
  saveDelivery = writeDeliveryFile,
}: ListenScreenProps) {
  const { stdout } = useStdout();
  const { state, dispatch, getState } = useListenStore({ capacity });
  useDeliveryStream(source, dispatch, flushIntervalMs);
  useMessageExpiry(state.message, dispatch);
  const size = useTerminalSize({ rows, columns });
  const notices = useSessionNotices(isDeliveryLogSource(source) ? NO_NOTICES : source);
  const layout = listenViewLayout(size.rows);
  const log = isDeliveryLogSource(source) ? source : null;
  // What the delivery log's poller has to say (an endpoint deleted) shows on the status line.
  useEffect(
    () =>
      log?.subscribeMessages((text) => dispatch({ type: "message", text, now: Date.now(), ttlMs: NOTICE_TTL_MS })),
    [log, dispatch],
  );
  useListenKeys({
    getState,
    dispatch,
    replay: (record) => source.replay(record),
    replayWords: log ? { doing: "redelivering", noun: "redelivery" } : undefined,
    layout,
    columns: size.columns,
    // An OSC sequence draws nothing, so it can go straight to the terminal between Ink's frames.
    copyText: copyText ?? ((text) => void stdout.write(osc52(text))),
    saveDelivery,
    onQuit,
    isActive: interactive,
  });

  const held = heldDeliveries(state);
  const mode = state.filterDraft !== null ? "filter" : state.detail ? "details" : "list";
  return (
    <Box flexDirection="column" width={size.columns}>
      {log ? <DeliveryLogHeader source={log} /> : <SessionHeader info={source.info as SessionInfo} secretShown={state.secretShown} notices={notices} />}
      {log ? (
        <DeliveryLogCounters
          records={state.records}
          p50Ms={p50Latency(state)}
          pausedArrivals={state.paused ? arrivedWhilePaused(state) : null}
          filter={state.filter}
          failedOnly={state.failedOnly}
        />
      ) : (
        <DeliveryCounters
          counters={state.counters}
          p50Ms={p50Latency(state)}
          pausedArrivals={state.paused ? arrivedWhilePaused(state) : null}
          pausedByView={state.paused?.auto}
          filter={state.filter}
          failedOnly={state.failedOnly}
        />
      )}
      {state.detail ? (
        <DeliveryDetails record={state.detail.record} scroll={state.detail.scroll} rows={layout.detailRows} columns={size.columns} />
      ) : (
        <DeliveryList
          window={listWindow(state, layout.listRows)}
          rows={layout.listRows}
          columns={size.columns}
          filter={state.filter}
          failedOnly={state.failedOnly}
          held={held.held}
          heldIsLatest={held.olderLetGo}
          kind={log ? "log" : "listen"}
          // listen's hint is the banner's next step (banner.ts nextStep), so both say the same.
          emptyHint={log ? LOG_EMPTY_HINT : `  waiting for deliveries… try: ${nextStep(source.info as SessionInfo)}`}
        />
      )}
      <StatusBar
        mode={mode}
        filterDraft={state.filterDraft}
        message={state.message}
        paused={state.paused !== null}
        keys={log ? LOG_KEYS : undefined}
        columns={size.columns}
      />
    </Box>
  );
}

const NOTICE_TTL_MS = 10_000;
/** The delivery log has no tunnel or apps: a stable empty source, so the notices hook subscribes once. */
const NO_NOTICES = {};
const LOG_EMPTY_HINT = "  waiting for deliveries… try `fanfare webhooks endpoints test <id> draw.consumer.won` in another terminal";
const LOG_KEYS = {
  list: "↑/↓ select  enter/d details  r redeliver  f failed only  / filter  p pause  q quit",
  details: "↑/↓ PgUp/PgDn scroll  esc back  r redeliver  q quit",
};
