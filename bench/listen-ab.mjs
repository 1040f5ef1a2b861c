#!/usr/bin/env node
// listen builds side by side (an A/B of a change), two --forward targets, CPU per delivery of each.
//   node bench/listen-ab.mjs ROUNDS PER_ROUND DIR[:ENV1,ENV2] ... [bare]
// Each DIR holds a build to compare: DIR/bin (a copy of bin/) and DIR/dist (a copy of dist/ after
// `npm run build` at the commit to measure); a node_modules next to DIR (a symlink to this one's)
// lets it find undici. `:ENV1,ENV2` starts that listen with those variables set to 1 (for ablation
// builds that read them); `bare` adds bench/listen.mjs's bare two-target undici forwarder. Every
// listen gets the same signed delivery, 32 in flight, in alternating rounds of PER_ROUND deliveries
// after a warm-up; printed: the median CPU per delivery (user + system, /proc) of each process.
// NODEARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the listens. Rounds swing with other work on a
// shared machine: compare within one run, and prefer the rounds where every variant was quiet.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startSinkProcess, COUNTING_SINK, importSource, bareTwoTargetForwarder } = await import(pathToFileURL(join(ROOT, "bench/lib.mjs")).href);
const { Pool } = await import(pathToFileURL(join(ROOT, "node_modules/undici/index.js")).href);
const { buildSample } = await importSource("src/events/sample.ts");
const { signPayload } = await importSource("src/signing/signature.ts");
const [rounds, perRound, ...variants] = process.argv.slice(2);
const nodeArgs = (process.env.NODEARGS ?? "").split(" ").filter(Boolean);
const configDir = mkdtempSync(join(tmpdir(), "c2-ab-"));
const env = { ...process.env, FANFARE_CONFIG_DIR: configDir };
delete env.NO_COLOR; delete env.FORCE_COLOR;
const children = [];
process.on("exit", () => { for (const c of children) if (c.exitCode === null) c.kill("SIGKILL"); rmSync(configDir, { recursive: true, force: true }); });
const { child: sinkChild, port } = await startSinkProcess(COUNTING_SINK);
children.push(sinkChild);
const sink = `http://127.0.0.1:${port}`;
const bin = (v) => join(v, "bin", "fanfare.js");
const so = spawn(process.execPath, [bin(variants.find((v) => v !== "bare").split(":")[0]), "webhooks", "listen", "--print-secret"], { env, stdio: ["ignore", "pipe", "inherit"] });
let secret = ""; so.stdout.on("data", (d) => (secret += d)); await new Promise((r) => so.on("close", r)); secret = secret.trim();

async function start(v) {
  if (v === "bare") { const { child, port } = await startSinkProcess(bareTwoTargetForwarder(sink)); children.push(child); return { child, url: `http://127.0.0.1:${port}/webhooks`, pid: child.pid, v }; }
  return startListen(v);
}
async function startListen(label) {
  const [v, extra] = label.split(":");
  const venv = { ...env };
  for (const k of (extra ?? "").split(",").filter(Boolean)) venv[k] = "1";
  const devNull = openSync("/dev/null", "w");
  const child = spawn(process.execPath, [...nodeArgs, bin(v), "webhooks", "listen", "--forward", `${sink}/webhooks`, "--forward", `draw.*=${sink}/draws`, "--no-tui"], { env: venv, stdio: ["ignore", devNull, "pipe"] });
  closeSync(devNull); children.push(child);
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.once("exit", () => reject(new Error(stderr)));
    child.stderr.setEncoding("utf8").on("data", (d) => { stderr += d; const f = /receiver\s+(http:\S+)/.exec(stderr); if (f && /Ready\./.test(stderr)) { child.stderr.resume(); resolve({ child, url: f[1], pid: child.pid, v: label }); } });
  });
}
const EVENT = "draw.consumer.won";
const body = JSON.stringify(buildSample(EVENT));
const ts = Math.floor(Date.now() / 1000);
const base = { "content-type": "application/json", "user-agent": "Fanfare-Webhooks/1.0", "x-fanfare-event-type": EVENT, "x-fanfare-timestamp": String(ts), "x-fanfare-signature": signPayload(secret, body, "v1", ts) };
let id = 0;
const cpuMs = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" "); return ((+f[11]) + (+f[12])) * 10; };
async function drive(l, n) {
  const pool = new Pool(new URL(l.url).origin, { connections: 32 });
  let left = n, bad = 0;
  const c0 = cpuMs(l.pid); const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => { while (left-- > 0) { const r = await pool.request({ path: "/webhooks", method: "POST", headers: { ...base, "x-fanfare-delivery-id": `whk_ab_${++id}` }, body }); await r.body.dump(); if (r.statusCode !== 200) bad++; } }));
  const cpu = cpuMs(l.pid) - c0; const s = (performance.now() - t0) / 1000;
  await pool.close();
  return { us: (cpu * 1000) / n, rate: n / s, bad };
}
const ls = [];
for (const v of variants) ls.push(await start(v));
for (const l of ls) await drive(l, 2000); // warm
const res = variants.map(() => []);
const rates = variants.map(() => []);
for (let r = 0; r < +rounds; r++) {
  const order = r % 2 === 0 ? ls.map((_, i) => i) : ls.map((_, i) => i).reverse();
  for (const i of order) { const x = await drive(ls[i], +perRound); res[i].push(x.us); rates[i].push(x.rate); if (x.bad) console.log("BAD", x.bad); }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
variants.forEach((v, i) => console.log(`${v.padEnd(24)} median ${med(res[i]).toFixed(0)} µs/delivery  rounds ${res[i].map((x) => x.toFixed(0)).join(" ")}  rate med ${med(rates[i]).toFixed(0)}/s`));
for (const l of ls) { l.child.kill("SIGINT"); }
await Promise.all(ls.map((l) => new Promise((r) => l.child.exitCode !== null ? r() : l.child.once("exit", r))));
process.exit(0);
