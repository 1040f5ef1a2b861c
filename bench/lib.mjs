// Timing helpers shared by the bench scripts. Every figure a script prints is a ratio against a
// baseline measured in the same run, on the same (shared, noisy) machine; absolute times mean little.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "bin", "fanfare.js");

/**
 * A loopback sink that answers every POST with 200 and counts them; `GET` returns the count, so a
 * bench can tell deliveries lost from deliveries made. Source for startSinkProcess.
 */
export const COUNTING_SINK = `
import { createServer } from "node:http";
let count = 0;
const server = createServer((req, res) => {
  if (req.method === "GET") return res.end(String(count));
  req.on("data", () => {});
  req.on("end", () => { count++; res.writeHead(200, { "content-type": "application/json", "content-length": 17 }).end('{"received":true}'); });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

/**
 * Starts a sink in a Node process of its own (so it does not compete with what is measured):
 * `script` is ES module source that listens on loopback and prints its port on stdout.
 * Resolves to { child, port }.
 */
export function startSinkProcess(script) {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").once("data", (d) => resolve({ child, port: Number(d.trim()) }));
    child.once("exit", (code) => reject(new Error(`the sink exited (${code})`)));
  });
}

/** Stops with a clear line when dist/ is missing, instead of timing a crash. */
export function requireBuild() {
  if (!existsSync(join(ROOT, "dist", "cli.cjs"))) {
    console.log("dist/ is missing: run `npm run build` first");
    process.exit(0);
  }
}

/**
 * One module of src/ (e.g. "src/signing/signature.ts") for a bench to call directly: dist/ holds
 * only the bundled CLI, so the module is bundled on its own, with the same esbuild settings that
 * matter for speed (target, production React), into node_modules/.cache.
 */
export async function importSource(path) {
  const { build } = await import("esbuild");
  const outfile = join(ROOT, "node_modules", ".cache", "fanfare-bench", path.replace(/[/\\]/g, "_").replace(/\.tsx?$/, ".mjs"));
  await build({
    absWorkingDir: ROOT,
    entryPoints: [path],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  return import(pathToFileURL(outfile).href);
}

export function median(values) {
  return percentile(values, 50);
}

/** The p-th percentile (0–100) by nearest rank on a sorted copy. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function runOnce(cmd, args, options) {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    input: options.input,
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const expected = options.expectExit ?? 0;
  if (result.status !== expected) {
    throw new Error(
      `${[cmd, ...args].join(" ")} exited with ${result.status ?? result.signal}, expected ${expected}\n` +
        `${result.stderr}`,
    );
  }
  return ms;
}

/**
 * Wall time of a command, in ms, over `runs` runs after `warmup` unrecorded ones (which fill the
 * OS file cache and Node's compile cache). Synchronous, so runs never overlap.
 * Returns { median, min, p90, times }.
 */
export function timeCommand(cmd, args, { runs = 30, warmup = 3, env, input, cwd, expectExit } = {}) {
  const options = { env, input, cwd, expectExit };
  for (let i = 0; i < warmup; i++) runOnce(cmd, args, options);
  const times = [];
  for (let i = 0; i < runs; i++) times.push(runOnce(cmd, args, options));
  return summarise(times);
}

/**
 * Times several commands round-robin (A B C A B C …), so a burst of load from something else on the
 * machine falls on all of them alike instead of on whichever happened to be running.
 * `commands` is [{ label, cmd, args, env?, input?, expectExit? }]; returns { [label]: summary }.
 */
export function timeCommandsInterleaved(commands, { runs = 30, warmup = 3 } = {}) {
  const times = Object.fromEntries(commands.map((c) => [c.label, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const c of commands) {
      const ms = runOnce(c.cmd, c.args, c);
      if (round >= warmup) times[c.label].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([label, t]) => [label, summarise(t)]));
}

function summarise(times) {
  return { median: median(times), min: Math.min(...times), p90: percentile(times, 90), times };
}

/**
 * Per-call time of a synchronous function, in ns: `rounds` timed batches of `batch` calls each,
 * after a warm-up batch; returns the median batch's time per call (robust to a GC pause or a
 * neighbour's burst landing in one batch).
 */
export function timeLoop(fn, { batch = 10_000, rounds = 15 } = {}) {
  for (let i = 0; i < batch; i++) fn(i);
  const perCall = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn(i);
    perCall.push(Number(process.hrtime.bigint() - start) / batch);
  }
  return median(perCall);
}

/**
 * Like timeLoop for several functions at once, alternating their batches (A B A B …) so drift in
 * machine load lands on each alike. `fns` is { label: fn(i) }; returns { label: ns per call }.
 */
export function timeLoopsInterleaved(fns, { batch = 10_000, rounds = 15 } = {}) {
  const entries = Object.entries(fns);
  const perCall = Object.fromEntries(entries.map(([label]) => [label, []]));
  for (let r = -1; r < rounds; r++) {
    for (const [label, fn] of entries) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) fn(i);
      if (r >= 0) perCall[label].push(Number(process.hrtime.bigint() - start) / batch);
    }
  }
  return Object.fromEntries(entries.map(([label]) => [label, median(perCall[label])]));
}

export function formatMs(ms) {
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function formatNs(ns) {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

/**
 * One result line: `label  1.23× (target ≤ 1.5×)  PASS`. With higherIsBetter the target is a floor
 * (`≥`), otherwise a ceiling. Returns whether it passed; scripts report, they don't fail CI.
 */
export function printRatio(label, ratio, target, higherIsBetter = false) {
  const pass = higherIsBetter ? ratio >= target : ratio <= target;
  const shown = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : String(ratio);
  console.log(`${label.padEnd(44)} ${shown.padStart(7)}  (target ${higherIsBetter ? "≥" : "≤"} ${target}×)  ${pass ? "PASS" : "MISS"}`);
  return pass;
}

/**
 * The source of a bare forwarder on listen's primitives (a node:http server, an undici Pool with a
 * dispatch handler) sending each delivery to two paths of `sink`, with none of listen's work: the
 * floor for listen's two targets. Run it with startSinkProcess; it prints its port.
 */
export function bareTwoTargetForwarder(sink) {
  return `
import { createServer } from "node:http";
import undici from ${JSON.stringify(pathToFileURL(join(ROOT, "node_modules", "undici", "index.js")).href)};
const pool = new undici.Pool(${JSON.stringify(sink)}, { connections: 128 });
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const headers = {};
    for (const name in req.headers) if (name.startsWith("x-fanfare-") || name === "content-type" || name === "user-agent") headers[name] = req.headers[name];
    let left = 2;
    let status = 502;
    let answer = Buffer.alloc(0);
    const done = () => { if (--left === 0) res.writeHead(status, { "content-type": "application/json", "content-length": answer.length }).end(answer); };
    for (const path of ["/webhooks", "/draws"]) {
      const parts = [];
      pool.dispatch({ path, method: "POST", headers, body }, {
        onRequestStart() {},
        onResponseStart(_c, code) { status = code; },
        onResponseData(_c, chunk) { parts.push(chunk); },
        onResponseEnd() { answer = Buffer.concat(parts); done(); },
        onResponseError() { status = 502; done(); },
      });
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;
}
