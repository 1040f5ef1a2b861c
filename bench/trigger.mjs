#!/usr/bin/env node
// trigger: requests/s of `fanfare webhooks trigger <event> --count N --concurrency C --json` against
// a bare undici loop (keep-alive Pool, same concurrency, same body size, same headers) sending to
// the same loopback sink, in the same run. Target (DESIGN.md): ≥ 0.8× the bare loop.
//   node bench/trigger.mjs [--count 20000] [--concurrency 16] [--rounds 5]
//
// Both sides run as their own process and are timed from spawn to exit (Node start-up and module
// loading included on both sides); the ratio is the median of each round's pair. The bare loop uses
// undici's request() API; trigger uses Pool.dispatch() with its own handler (no response stream),
// which is part of why it keeps up despite building, signing and reporting every delivery. trigger's
// NDJSON goes to /dev/null, a file, which Node writes synchronously (the costly case for output).
// The sink is a separate Node process answering 200 with a tiny body at once.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { parseArgs } from "node:util";
import { BIN, ROOT, importSource, median, printRatio, requireBuild, startSinkProcess } from "./lib.mjs";

requireBuild();
const TARGET = 0.8;
const EVENT = "draw.consumer.won";
const { values } = parseArgs({
  options: {
    count: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "16" },
    rounds: { type: "string", default: "5" },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const SECRET = "whsec_benchTriggerSecret0123456789";

const SINK = `
import { createServer } from "node:http";
const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => res.writeHead(200, { "content-type": "application/json", "content-length": 17 }).end('{"received":true}'));
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

// The least a sender can do: one Pool, C loops, a fixed pre-serialized body and fixed headers
// (no sample to build, nothing to sign), reading each answer to the end.
const BARE = `
import { Pool } from "undici";
const [url, count, concurrency, bodyLength] = process.argv.slice(1);
const u = new URL(url);
const pool = new Pool(u.origin, { connections: Number(concurrency), headersTimeout: 30_000, bodyTimeout: 30_000 });
const body = JSON.stringify({ pad: "x".repeat(Math.max(0, Number(bodyLength) - 10)) });
const headers = {
  "content-type": "application/json", "user-agent": "Fanfare-Webhooks/1.0",
  "x-fanfare-event-type": "draw.consumer.won", "x-fanfare-delivery-id": "whk_01BENCH0000000000000000000",
  "x-fanfare-timestamp": "1700000000", "x-fanfare-signature": "t=1700000000,v1=" + "0".repeat(64),
};
let next = 0, ok = 0;
const start = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, async () => {
  while (next < Number(count)) {
    next++;
    const res = await pool.request({ path: u.pathname, method: "POST", headers, body });
    await res.body.text();
    if (res.statusCode === 200) ok++;
  }
}));
const ms = performance.now() - start;
await pool.close();
console.log(JSON.stringify({ ok, ms }));
`;


function timed(args, stdoutFd) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ["ignore", stdoutFd ?? "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let out = "";
    let err = "";
    child.stdout?.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    child.on("close", (code) => {
      const wallMs = performance.now() - start;
      if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}\n${err}`));
      else resolve({ wallMs, out, err });
    });
  });
}

// The same body size as the trigger's sample, so both sides move the same bytes.
const { buildSample } = await importSource("src/events/sample.ts");
const bodyLength = Buffer.byteLength(JSON.stringify(buildSample(EVENT)));

const sink = await startSinkProcess(SINK);
const url = `http://127.0.0.1:${sink.port}/webhooks`;
const devNull = openSync("/dev/null", "w");
console.log(
  `${COUNT} deliveries of ${EVENT} (~${bodyLength} B), concurrency ${CONCURRENCY}, ${ROUNDS} rounds, to a loopback sink`,
);

const bareRates = [];
const bareInner = [];
const triggerRates = [];
const ratios = [];
try {
  // Alternate the two, so a burst of load from elsewhere falls on both alike; one unrecorded
  // warm-up of each fills the file cache.
  for (let round = -1; round < ROUNDS; round++) {
    const bare = await timed(["--input-type=module", "-e", BARE, url, String(COUNT), String(CONCURRENCY), String(bodyLength)]);
    const { ok, ms } = JSON.parse(bare.out);
    if (ok !== COUNT) throw new Error(`bare loop: ${ok}/${COUNT} ok`);
    const trig = await timed(
      [
        BIN,
        "webhooks",
        "trigger",
        EVENT,
        "--count",
        String(COUNT),
        "--concurrency",
        String(CONCURRENCY),
        "--forward-to",
        url,
        "--secret",
        SECRET,
        "--json",
      ],
      devNull,
    );
    if (round < 0) continue;
    bareRates.push(COUNT / (bare.wallMs / 1000));
    bareInner.push(COUNT / (ms / 1000));
    triggerRates.push(COUNT / (trig.wallMs / 1000));
    // Each round's two runs sit side by side in time, so their ratio is the least disturbed figure.
    ratios.push(bare.wallMs / trig.wallMs);
    console.log(
      `  round ${round + 1}: bare ${Math.round(bareRates.at(-1))} req/s, trigger ${Math.round(triggerRates.at(-1))} req/s, ` +
        `ratio ${ratios.at(-1).toFixed(2)}`,
    );
  }
} finally {
  closeSync(devNull);
  sink.child.kill();
}

const bareRate = median(bareRates);
const triggerRate = median(triggerRates);
const fmt = (r) => `${Math.round(r).toLocaleString("en-US")} req/s`;
console.log(`bare undici loop (wall, spawn to exit)      ${fmt(bareRate)}   (inside the loop: ${fmt(median(bareInner))})`);
console.log(`fanfare webhooks trigger --json >/dev/null  ${fmt(triggerRate)}`);
printRatio("trigger / bare undici loop (requests/s)", median(ratios), TARGET, true);
