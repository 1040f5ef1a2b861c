import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "..", "..", "src");

/** Every module under src/ with the src/ modules it imports (static, dynamic and type-only). */
function importGraph(): Map<string, string[]> {
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(SRC, file), "utf8");
    const targets: string[] = [];
    for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      const base = relative(SRC, resolve(dirname(join(SRC, file)), m[1]!)).replace(/\.js$/, "");
      const hit = [".ts", ".tsx"].map((ext) => base + ext).find((c) => known.has(c));
      if (hit) targets.push(hit);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The first cycle found by depth-first search, as a path that ends where it starts. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

/**
 * Which folders a folder may import from. Lower layers never reach up: the terminal and pure modules
 * know nothing of commands, listen's view or the emulator.
 */
const ALLOWED: Record<string, string[]> = {
  ".": ["*"],
  commands: ["*"],
  terminal: [],
  config: ["signing", "terminal"],
  signing: ["terminal"],
  events: ["terminal"],
  http: ["terminal"],
  lifecycle: [],
  session: ["config"],
  delivery: ["signing", "events", "http", "lifecycle", "session", "terminal", "config"],
  api: ["config", "terminal", "http", "events", "signing"],
  listen: ["api", "config", "delivery", "events", "http", "lifecycle", "session", "signing", "terminal"],
  emulator: ["api", "config", "delivery", "events", "http", "session", "signing", "terminal"],
  tail: ["api", "delivery", "lifecycle", "listen", "terminal"],
  check: ["delivery", "signing", "terminal"],
  completion: [],
  mcp: [],
};

const folderOf = (file: string) => (file.includes("/") ? file.split("/")[0]! : ".");

describe("src/ imports", () => {
  const graph = importGraph();

  it("finds the modules (the check is not vacuous)", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });

  it("has no import cycles", () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it("only reaches down the layers", () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      const allowed = ALLOWED[from];
      for (const target of targets) {
        const to = folderOf(target);
        if (to === from || to === "." && target === "errors.ts") continue;
        if (!allowed || !(allowed.includes("*") || allowed.includes(to))) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("detects a cycle when there is one", () => {
    const cyclic = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycle(cyclic)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });
});
