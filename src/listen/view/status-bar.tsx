import { escapeControl } from "../../terminal/escape.js";
import { Box, Text } from "ink";
import type { StatusMessage } from "./listen-state.js";
import { TintedText } from "./tinted-text.js";

type StatusBarMode = "list" | "details" | "filter";

interface StatusBarProps {
  mode: StatusBarMode;
  /** The filter being typed, in "filter" mode. */
  filterDraft: string | null;
  message: StatusMessage | null;
  paused: boolean;
  /** Key lines of another source of the view (deliveries tail), by mode. */
  keys?: Partial<Record<StatusBarMode, string>>;
  /** The terminal's width: keys that do not fit are left out, `q quit` stays. */
  columns?: number;
}

const KEYS: Record<StatusBarMode, string> = {
  list: "↑/↓ select  enter/d details  r replay  f failed only  / filter  p pause  s secret  q quit",
  details: "↑/↓ PgUp/PgDn scroll  esc back  r replay  c copy  w write  s secret  q quit",
  filter: "type an event type  enter apply  esc clear",
};

/**
 * The two bottom lines: a message or the filter being typed, then the keys that work right now:
 *
 *   replaying whk_01JD…XK2M
 *   ↑/↓ select  enter/d details  r replay  f failed only  / filter  p pause  s secret  q quit
 */
export function StatusBar({ mode, filterDraft, message, paused, keys: ownKeys, columns = Infinity }: StatusBarProps) {
  let first;
  if (mode === "filter") {
    first = (
      <Text wrap="truncate-end">
        <TintedText tint="accent">/ filter: </TintedText>
        {filterDraft ?? ""}
        <TintedText tint="dim">█</TintedText>
      </Text>
    );
  } else if (message) {
    first = (
      <TintedText tint={message.tone === "error" ? "error" : "accent"} wrap="truncate-end">
        {escapeControl(message.text)}
      </TintedText>
    );
  } else {
    first = <Text> </Text>;
  }
  const line = ownKeys?.[mode] ?? KEYS[mode];
  const keys = fitKeys(mode === "list" && paused ? line.replace("p pause", "p resume") : line, columns);
  return (
    <Box flexDirection="column">
      {first}
      <TintedText tint="dim" wrap="truncate-end">
        {keys}
      </TintedText>
    </Box>
  );
}

/**
 * The key line cut to `columns` by whole keys, dropping from the end but keeping the last (`q quit`),
 * rather than cutting it mid-word: on an 80-column terminal listen's line loses `s secret`.
 */
function fitKeys(line: string, columns: number): string {
  if (line.length <= columns) return line;
  const keys = line.split("  ");
  const last = keys.pop()!;
  while (keys.length > 0 && [...keys, last].join("  ").length > columns) keys.pop();
  return [...keys, last].join("  ");
}
