#!/usr/bin/env node
// emulator: what `fanfare webhooks emulator --data-dir` costs against the same emulator in memory.
//   node bench/emulator.mjs [--endpoints 200] [--deliveries 2000] [--concurrency 8] [--sequential 50] [--rounds 3]
//
// Each round (figures are the median over rounds) runs both emulators (in memory, then with a fresh --data-dir) as processes of their
// own, one after the other, against one loopback sink (a third process that counts what arrives):
// 1. --endpoints creates with --concurrency in flight, as the deliveries go (a setup script that
//    creates in parallel, or a test suite's workers): creates/s. This is what "200 creates < 1 s" is
//    judged on. Then --sequential more creates one at a time: p50 of one create, which on disk
//    cannot be less than one flush (fdatasync) of this disk, since each must be on disk before its
//    answer and one at a time there is nothing to share the flush with; 200 × that p50 is what a
//    one-at-a-time script takes (printed, not judged).
// 2. --deliveries test events spread evenly over the first --endpoints, --concurrency in flight:
//    each POST /webhooks/:id/test answers once its first attempt went through the delivery engine
//    to the sink, so deliveries/s is end to end; p50/p99 of those API calls.
// Each phase also reads the emulator process's CPU time (user + system, every thread, from /proc
// on Linux): µs per create and per delivery, which moves far less than wall-clock rates with the
// load other processes put on a shared machine (still ±15% here), and the bytes it had written to
// disk per delivery (/proc/PID/io write_bytes), which does not move at all. The emulator is a fresh
// process each round, so the figures include its JIT warming up, as a run against a just-started
// emulator does.
// Targets (DESIGN.md, "Emulator store"): 200 creates < 1 s; ≥ 1,000 deliveries/s on disk;
// on disk ≥ 0.5× the in-memory deliveries/s.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { BIN, ROOT, median, percentile, printRatio, requireBuild, startSinkProcess, COUNTING_SINK } from "./lib.mjs";

requireBuild();
const { values } = parseArgs({
  options: {
    endpoints: { type: "string", default: "200" },
    deliveries: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "8" },
    sequential: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
  },
});
const ENDPOINTS = Number(values.endpoints);
const DELIVERIES = Number(values.deliveries);
const CONCURRENCY = Number(values.concurrency);
const SEQUENTIAL = Number(values.sequential);
const ROUNDS = Number(values.rounds);
const KEY = "sk_test_benchEmulator000000";
const EVENT = "order.created";

const SINK = COUNTING_SINK;

const { Pool, request } = await import(pathToFileURL(join(ROOT, "node_modules", "undici", "index.js")).href);

/** Starts the built CLI's emulator; resolves with its API base once it prints it. */
function startEmulator(dataDir) {
  const args = [BIN, "webhooks", "emulator", "--port", "0", "--json", "--api-key", KEY];
  if (dataDir) args.push("--data-dir", dataDir);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      const line = /\{"url".*\}/.exec(out);
      if (line) resolve({ child, url: JSON.parse(line[0]).url });
    });
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code})`)));
  });
}

/**
 * CPU time (user + system, every thread) the process has used, in µs, from /proc (Linux); null
 * elsewhere. Unlike wall time it hardly depends on what else the machine is doing.
 */
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

/** Bytes the process has had written to storage (its share of block I/O), from /proc (Linux); null elsewhere. */
function diskBytes(pid) {
  try {
    return Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))[1]);
  } catch {
    return null;
  }
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

async function call(pool, path, body) {
  const started = performance.now();
  const res = await pool.request({
    path,
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await res.body.json();
  const ms = performance.now() - started;
  if (res.statusCode >= 300) throw new Error(`POST ${path} → ${res.statusCode} ${JSON.stringify(answer)}`);
  return { answer, ms };
}

async function sinkCount(port) {
  const res = await request(`http://127.0.0.1:${port}/`);
  return Number(await res.body.text());
}

/** One emulator through both phases; returns its figures. */
async function measure(label, dataDir, sink) {
  const emulator = await startEmulator(dataDir);
  const base = new URL(emulator.url);
  const prefix = base.pathname;
  const pool = new Pool(base.origin, { connections: CONCURRENCY });
  try {
    const hook = `http://127.0.0.1:${sink.port}/webhooks`;
    let started = performance.now();
    let cpuBefore = cpuMicros(emulator.child.pid);
    const ids = [];
    const create = async () => (await call(pool, `${prefix}/webhooks`, { url: hook, events: [EVENT] })).answer.id;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (ids.length < ENDPOINTS) {
          const slot = ids.push(undefined) - 1;
          ids[slot] = await create();
        }
      }),
    );
    const createMs = performance.now() - started;
    const createCpu = cpuMicros(emulator.child.pid) - cpuBefore;
    const sequential = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const t = performance.now();
      await create();
      sequential.push(performance.now() - t);
    }

    const before = await sinkCount(sink.port);
    const latencies = [];
    let next = 0;
    let failed = 0;
    started = performance.now();
    cpuBefore = cpuMicros(emulator.child.pid);
    const diskBefore = diskBytes(emulator.child.pid);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < DELIVERIES) {
          const id = ids[next++ % ids.length];
          const { answer, ms } = await call(pool, `${prefix}/webhooks/${id}/test`, { eventType: EVENT });
          latencies.push(ms);
          if (answer.status !== "succeeded") failed++;
        }
      }),
    );
    const deliverMs = performance.now() - started;
    const deliverCpu = cpuMicros(emulator.child.pid) - cpuBefore;
    const deliverDisk = diskBytes(emulator.child.pid) - diskBefore;
    const arrived = (await sinkCount(sink.port)) - before;
    if (arrived !== DELIVERIES || failed > 0) throw new Error(`${label}: ${arrived}/${DELIVERIES} arrived, ${failed} not succeeded`);
    const figures = {
      createMs,
      createsPerS: ENDPOINTS / (createMs / 1000),
      sequentialMs: percentile(sequential, 50),
      deliveriesPerS: DELIVERIES / (deliverMs / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuPerCreate: cpuBefore === null ? NaN : createCpu / ENDPOINTS,
      cpuPerDelivery: cpuBefore === null ? NaN : deliverCpu / DELIVERIES,
      diskPerDelivery: diskBefore === null ? NaN : deliverDisk / DELIVERIES,
    };
    console.log(
      `  ${label.padEnd(10)} ${ENDPOINTS} creates in ${Math.round(createMs)} ms (${Math.round(figures.createsPerS)}/s), ` +
        `one at a time p50 ${figures.sequentialMs.toFixed(1)} ms; ` +
        `${DELIVERIES} deliveries at ${Math.round(figures.deliveriesPerS)}/s; API p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms; ` +
        `emulator CPU ${Math.round(figures.cpuPerCreate)} µs/create, ${Math.round(figures.cpuPerDelivery)} µs/delivery` +
        (dataDir ? `, ${(figures.diskPerDelivery / 1024).toFixed(1)} KB written to disk/delivery` : ""),
    );
    return figures;
  } finally {
    await pool.close();
    await stop(emulator.child);
  }
}

const sink = await startSinkProcess(SINK);
console.log(
  `${ENDPOINTS} creates (${CONCURRENCY} in flight) and ${SEQUENTIAL} one at a time, then ${DELIVERIES} test deliveries across the first ${ENDPOINTS} (${CONCURRENCY} in flight), to a loopback sink`,
);
const memory = [];
const disk = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    memory.push(await measure("in memory", undefined, sink));
    const dataDir = mkdtempSync(join(tmpdir(), "fanfare-bench-emulator-"));
    try {
      disk.push(await measure("on disk", dataDir, sink));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  sink.child.kill();
}

const pick = (list, key) => median(list.map((f) => f[key]));
const createS = pick(disk, "createMs") / 1000;
console.log(`on disk: ${ENDPOINTS} creates in ${createS.toFixed(2)} s, ${CONCURRENCY} in flight (target < 1 s)  ${createS < 1 ? "PASS" : "MISS"}`);
console.log(
  `on disk: one create at a time p50 ${pick(disk, "sequentialMs").toFixed(1)} ms (in memory ${pick(memory, "sequentialMs").toFixed(1)} ms): ` +
    `${ENDPOINTS} one at a time ≈ ${((ENDPOINTS * pick(disk, "sequentialMs")) / 1000).toFixed(2)} s (each waits for its own flush)`,
);
const rate = pick(disk, "deliveriesPerS");
console.log(`on disk: ${Math.round(rate).toLocaleString("en-US")} deliveries/s (target ≥ 1,000/s)  ${rate >= 1000 ? "PASS" : "MISS"}`);
console.log(
  `API latency of test calls: on disk p50 ${pick(disk, "p50").toFixed(1)} ms / p99 ${pick(disk, "p99").toFixed(1)} ms; ` +
    `in memory p50 ${pick(memory, "p50").toFixed(1)} ms / p99 ${pick(memory, "p99").toFixed(1)} ms`,
);
console.log(
  `emulator CPU per delivery (user + system, all threads): on disk ${Math.round(pick(disk, "cpuPerDelivery"))} µs, ` +
    `in memory ${Math.round(pick(memory, "cpuPerDelivery"))} µs; per create ${Math.round(pick(disk, "cpuPerCreate"))} / ${Math.round(pick(memory, "cpuPerCreate"))} µs`,
);
console.log(
  `on disk: ${(pick(disk, "diskPerDelivery") / 1024).toFixed(1)} KB written to disk per delivery (journal, snapshots, the page each flush rewrites)`,
);
printRatio("creates/s, on disk / in memory", pick(disk, "createsPerS") / pick(memory, "createsPerS"), 0.5, true);
printRatio("deliveries/s, on disk / in memory", rate / pick(memory, "deliveriesPerS"), 0.5, true);
