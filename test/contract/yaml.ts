/**
 * A reader for the plain subset of YAML that docs/admin-api.openapi.yaml is kept to: block mappings
 * and block lists by indentation (spaces), one-line scalars (plain, "double-quoted" with JSON's
 * escapes, 'single-quoted'), flow lists of scalars (`[a, "b"]`, `[]`) and whole-line comments.
 * Anything else (anchors, tags, multi-line or block scalars, flow mappings, tabs) is refused with its
 * line number rather than read wrongly. No YAML library is a dependency of this project, and the
 * document needs no more than this.
 */

interface Line {
  indent: number;
  text: string;
  number: number;
}

export function parseYamlSubset(source: string): unknown {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*(#.*)?$/.test(raw)) return;
    if (raw.includes("\t")) throw problem(i + 1, "tabs are not allowed");
    const indent = raw.length - raw.trimStart().length;
    lines.push({ indent, text: raw.trimEnd().slice(indent), number: i + 1 });
  });
  if (lines.length === 0) return null;
  const state = { lines, at: 0 };
  const value = block(state, lines[0]!.indent);
  if (state.at < lines.length) throw problem(lines[state.at]!.number, "unexpected indentation");
  return value;
}

type State = { lines: Line[]; at: number };

function problem(line: number, what: string): Error {
  return new Error(`admin-api.openapi.yaml line ${line}: ${what}`);
}

function block(state: State, indent: number): unknown {
  const first = state.lines[state.at]!;
  return first.text === "-" || first.text.startsWith("- ") ? sequence(state, indent) : mapping(state, indent);
}

function sequence(state: State, indent: number): unknown[] {
  const items: unknown[] = [];
  while (state.at < state.lines.length) {
    const line = state.lines[state.at]!;
    if (line.indent < indent) break;
    if (line.indent > indent) throw problem(line.number, "unexpected indentation");
    if (!(line.text === "-" || line.text.startsWith("- "))) throw problem(line.number, "expected a list item");
    const rest = line.text.slice(1).trimStart();
    if (rest === "") {
      state.at++;
      items.push(nested(state, indent));
    } else if (keyOf(rest, line.number)) {
      // `- key: value` starts a mapping whose keys line up with `key`.
      const inner = indent + (line.text.length - rest.length);
      state.lines[state.at] = { indent: inner, text: rest, number: line.number };
      items.push(mapping(state, inner));
    } else {
      state.at++;
      items.push(scalar(rest, line.number));
    }
  }
  return items;
}

function mapping(state: State, indent: number): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  while (state.at < state.lines.length) {
    const line = state.lines[state.at]!;
    if (line.indent < indent) break;
    if (line.indent > indent) throw problem(line.number, "unexpected indentation");
    const entry = keyOf(line.text, line.number);
    if (!entry) throw problem(line.number, "expected `key: value`");
    if (Object.hasOwn(map, entry.key)) throw problem(line.number, `duplicate key ${entry.key}`);
    state.at++;
    map[entry.key] = entry.rest === "" ? nested(state, indent) : scalar(entry.rest, line.number);
  }
  return map;
}

/** The block under a `key:` or a bare `-`: deeper lines, or null when there are none. */
function nested(state: State, indent: number): unknown {
  const next = state.lines[state.at];
  if (!next || next.indent <= indent) return null;
  return block(state, next.indent);
}

/** `key: rest` (key plain or quoted), or undefined when the text is not a mapping entry. */
function keyOf(text: string, number: number): { key: string; rest: string } | undefined {
  let key: string;
  let after: string;
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = quotedEnd(text, number);
    key = scalar(text.slice(0, end), number) as string;
    after = text.slice(end);
  } else {
    const m = /^([^\s:#[\]{},&*!|>'"%@`][^:#]*?):(?=\s|$)/.exec(text);
    if (!m) return undefined;
    key = m[1]!;
    after = text.slice(m[1]!.length);
  }
  if (!after.startsWith(":") || !(after.length === 1 || after[1] === " ")) return undefined;
  return { key, rest: after.slice(1).trim() };
}

/** Index just past the closing quote of the quoted scalar that `text` starts with. */
function quotedEnd(text: string, number: number): number {
  const quote = text[0]!;
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === "\\") i++;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  throw problem(number, "unterminated quoted string");
}

function scalar(text: string, number: number): unknown {
  if (text.startsWith('"')) {
    const end = quotedEnd(text, number);
    if (text.slice(end).trim() !== "") throw problem(number, "text after a quoted string");
    return JSON.parse(text.slice(0, end));
  }
  if (text.startsWith("'")) {
    const end = quotedEnd(text, number);
    if (text.slice(end).trim() !== "") throw problem(number, "text after a quoted string");
    return text.slice(1, end - 1).replace(/''/g, "'");
  }
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) throw problem(number, "flow lists must close on their line");
    const inner = text.slice(1, -1).trim();
    if (inner === "") return [];
    return splitFlow(inner, number).map((part) => scalar(part, number));
  }
  if (/^[&*!|>{%@`]/.test(text) || / #/.test(text)) throw problem(number, `not in the supported subset: ${text}`);
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "null" || text === "~") return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function splitFlow(text: string, number: number): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end: number;
    if (text[i] === '"' || text[i] === "'") end = i + quotedEnd(text.slice(i), number);
    else end = text.indexOf(",", i) === -1 ? text.length : text.indexOf(",", i);
    if (/[[\]{}]/.test(text.slice(i, end)) && !/^["']/.test(text[i]!)) throw problem(number, "nested flow collections");
    parts.push(text.slice(i, end).trim());
    const comma = text.indexOf(",", end);
    if (comma === -1) {
      if (text.slice(end).trim() !== "") throw problem(number, "text after a quoted list item");
      break;
    }
    i = comma + 1;
    while (text[i] === " ") i++;
  }
  return parts;
}
