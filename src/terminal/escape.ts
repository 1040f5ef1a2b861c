/**
 * Text from outside (a delivery's headers, ids and body, the admin API's data, an echoed argument)
 * made safe to print: C0 controls, DEL, C1 controls (as code points, so U+009B, a one-character CSI
 * in some terminals, is caught), CR and lone surrogates become visible escapes (`\x1b`, `\r`,
 * `\x9b`, `\ud800`). A forged delivery can then never clear the screen, retitle the window, move
 * the cursor or fake a line. With `newlines`, line feeds stay (a body shown over several lines).
 */
export function escapeControl(text: string, options: { newlines?: boolean } = {}): string {
  const pattern = options.newlines ? UNSAFE_BUT_NEWLINE : UNSAFE;
  pattern.lastIndex = 0;
  // Nearly all text has nothing to escape: test before building a new string.
  if (!pattern.test(text)) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, visible);
}

/**
 * JSON for output that people and scripts read: JSON.stringify leaves DEL and C1 controls as they
 * are (they are valid in JSON strings), so they are escaped as \u00XX too. The result parses to
 * the same value.
 */
export function safeJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return text as unknown as string;
  JSON_UNSAFE.lastIndex = 0;
  if (!JSON_UNSAFE.test(text)) return text;
  JSON_UNSAFE.lastIndex = 0;
  return text.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const LONE_SURROGATE = "[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";
const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f]|${LONE_SURROGATE}`, "g");
const UNSAFE_BUT_NEWLINE = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f]|${LONE_SURROGATE}`, "g");
const JSON_UNSAFE = /[\u007f-\u009f]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `U+6771`, `U+001B`: a character named by its code point, never shown as itself (it may be a control). */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}
