import { Text } from "ink";
import { formatDuration } from "./delivery-format.js";
import type { DeliveryCounters as Counters } from "./listen-state.js";
import { TintedText } from "./tinted-text.js";

interface DeliveryCountersProps {
  counters: Counters;
  p50Ms: number | null;
  /** Set while the list is paused: how many arrived since. */
  pausedArrivals: number | null;
  /** The view paused itself to keep the rows being read (see PausedList.auto). */
  pausedByView?: boolean;
  filter: string;
  /** `f`: only failed deliveries are listed. */
  failedOnly?: boolean;
}

/**
 * One line of totals since the session started, with the list's pause and filter state:
 *
 *   received 12  ok 10  failed 1  bad signature 1  p50 4 ms  PAUSED +3  filter "draw"
 */
export function DeliveryCounters({ counters, p50Ms, pausedArrivals, pausedByView, filter, failedOnly }: DeliveryCountersProps) {
  return (
    <Text wrap="truncate-end">
      <TintedText tint="dim">received </TintedText>
      <TintedText tint="strong">{counters.received}</TintedText>
      <TintedText tint="dim">{"  ok "}</TintedText>
      <TintedText tint={counters.forwardedOk > 0 ? "ok" : undefined}>{counters.forwardedOk}</TintedText>
      <TintedText tint="dim">{"  failed "}</TintedText>
      <TintedText tint={counters.failed > 0 ? "error" : undefined}>{counters.failed}</TintedText>
      <TintedText tint="dim">{"  bad signature "}</TintedText>
      <TintedText tint={counters.badSignature > 0 ? "error" : undefined}>{counters.badSignature}</TintedText>
      <TintedText tint="dim">{"  p50 "}</TintedText>
      {p50Ms === null ? "-" : formatDuration(p50Ms)}
      {pausedArrivals !== null ? (
        <>
          {"  "}
          <TintedText tint="warn">{`PAUSED +${pausedArrivals}`}</TintedText>
          {pausedByView ? <TintedText tint="dim"> (End resumes)</TintedText> : null}
        </>
      ) : null}
      {filter ? (
        <>
          {"  "}
          <TintedText tint="accent">{`filter "${filter}"`}</TintedText>
        </>
      ) : null}
      {failedOnly ? <TintedText tint="accent">{"  failed only"}</TintedText> : null}
    </Text>
  );
}
