import { Text, type TextProps } from "ink";
import type { ReactNode } from "react";
import { useColor } from "./color-context.js";

type Tint =
  | "ok"
  | "warn"
  | "error"
  | "pending"
  | "dim"
  | "heading"
  | "label"
  | "accent"
  | "strong";

interface TintedTextProps {
  tint?: Tint;
  wrap?: TextProps["wrap"];
  children?: ReactNode;
}

const TINTS: Record<Tint, TextProps> = {
  ok: { color: "green" },
  warn: { color: "yellow" },
  error: { color: "red" },
  pending: { dimColor: true },
  dim: { dimColor: true },
  heading: { bold: true },
  label: { bold: true, color: "cyan" },
  accent: { color: "cyan" },
  strong: { bold: true },
};

/**
 * Text in one of the view's few tints, plain when colour is off (no escape codes at all):
 *
 *   <TintedText tint="ok">200</TintedText>   →   200 (green)
 */
export function TintedText({ tint, wrap, children }: TintedTextProps) {
  const color = useColor();
  const style = color && tint ? TINTS[tint] : {};
  return (
    <Text {...style} wrap={wrap}>
      {children}
    </Text>
  );
}
