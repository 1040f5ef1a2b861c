import { Text } from "ink";
import type { DeliveryStatus } from "../../api/types.js";
import type { DeliveryRecord } from "../types.js";
import { DELIVERY_STATES, formatDuration } from "./delivery-format.js";
import { TintedText } from "./tinted-text.js";

interface DeliveryLogCountersProps {
  /** The rows kept (the counts are of what the view holds, by current status). */
  records: readonly DeliveryRecord[];
  p50Ms: number | null;
  pausedArrivals: number | null;
  filter: string;
  failedOnly: boolean;
}

/** The order the counters go in; labels and tones are the rows'. */
const SHOWN: readonly DeliveryStatus[] = ["succeeded", "retrying", "failed", "permanently_failed", "pending"];

/**
 * The counters line of `deliveries tail`: the deliveries shown by their status now (a retry that
 * succeeds moves from retrying to succeeded), with the pause and filter state.
 *
 *   deliveries 12  succeeded 10  retrying 1  failed 0  perm. failed 1  pending 0  p50 4 ms  failed only
 */
export function DeliveryLogCounters({ records, p50Ms, pausedArrivals, filter, failedOnly }: DeliveryLogCountersProps) {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const status = record.platform?.status;
    if (status) counts[status] = (counts[status] ?? 0) + 1;
  }
  return (
    <Text wrap="truncate-end">
      <TintedText tint="dim">deliveries </TintedText>
      <TintedText tint="strong">{records.length}</TintedText>
      {SHOWN.map((status) => (
        <Text key={status}>
          <TintedText tint="dim">{`  ${DELIVERY_STATES[status].label} `}</TintedText>
          <TintedText tint={counts[status] ? DELIVERY_STATES[status].tone : undefined}>{counts[status] ?? 0}</TintedText>
        </Text>
      ))}
      <TintedText tint="dim">{"  p50 "}</TintedText>
      {p50Ms === null ? "-" : formatDuration(p50Ms)}
      {pausedArrivals !== null ? <TintedText tint="warn">{`  PAUSED +${pausedArrivals}`}</TintedText> : null}
      {filter ? <TintedText tint="accent">{`  filter "${filter}"`}</TintedText> : null}
      {failedOnly ? <TintedText tint="accent">{"  failed only"}</TintedText> : null}
    </Text>
  );
}
