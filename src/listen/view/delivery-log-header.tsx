import { Box, Text } from "ink";
import { useEffect, useState } from "react";
import type { DeliveryLogInfo, DeliveryLogPollState, DeliveryLogSource } from "../types.js";
import { escapeControl } from "../../terminal/escape.js";
import { clockTime } from "./delivery-format.js";
import { TintedText } from "./tinted-text.js";

interface DeliveryLogHeaderProps {
  source: Pick<DeliveryLogSource, "info" | "subscribePolling">;
}

/**
 * The header of `deliveries tail` (in place of listen's session header, the same three lines): what
 * is tailed, how polling goes (a 429 or an unreachable API is said here, with when it tries again),
 * and the filters given on the command line.
 *
 *   fanfare deliveries tail  we_123, we_456  api http://127.0.0.1:8787/api
 *   polling every 2 s, last 12:00:01
 *   status all  events draw.*
 */
export function DeliveryLogHeader({ source }: DeliveryLogHeaderProps) {
  const polling = usePollState(source);
  const { info } = source;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <TintedText tint="strong">fanfare deliveries tail</TintedText>
        {"  "}
        <TintedText tint="accent">{info.all ? "every endpoint" : info.endpoints.join(", ")}</TintedText>
        <TintedText tint="dim">{"  api "}</TintedText>
        {info.apiBase}
      </Text>
      <PollLine info={info} polling={polling} />
      <Text wrap="truncate-end">
        <TintedText tint="dim">status </TintedText>
        {info.status ?? "all"}
        <TintedText tint="dim">{"  events "}</TintedText>
        {info.events ?? "all"}
      </Text>
    </Box>
  );
}

function PollLine({ info, polling }: { info: DeliveryLogInfo; polling: DeliveryLogPollState }) {
  const ms = info.intervalMs;
  const every = `polling every ${ms < 1000 ? `${ms} ms` : `${ms / 1000} s`}`;
  if (polling.state === "starting") return <TintedText tint="dim">{`${every}, first poll…`}</TintedText>;
  if (polling.state === "polling") {
    const count = info.all ? `, ${polling.endpoints} endpoint${polling.endpoints === 1 ? "" : "s"}` : "";
    return <TintedText tint="dim" wrap="truncate-end">{`${every}, last ${clockTime(polling.lastPollAt)}${count}`}</TintedText>;
  }
  const what = polling.why === "rate_limited" ? "rate limited" : "API unreachable";
  return (
    <Text wrap="truncate-end">
      <TintedText tint={polling.why === "rate_limited" ? "warn" : "error"}>{what}</TintedText>
      {` · next try ${clockTime(polling.retryAt)} · ${escapeControl(polling.message)}`}
    </Text>
  );
}

function usePollState(source: Pick<DeliveryLogSource, "subscribePolling">): DeliveryLogPollState {
  const [state, setState] = useState<DeliveryLogPollState>({ state: "starting" });
  useEffect(() => source.subscribePolling(setState), [source]);
  return state;
}
