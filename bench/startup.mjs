#!/usr/bin/env node
// Start-up: `fanfare --version` and `fanfare webhooks verify` against bare `node -e 0`, each the
// median of N runs taken round-robin in this one run. Targets: --version within 1.2×, verify 1.25×.
// Then, to say where any extra time goes, the require cost of dist/cli.cjs and of each command's chunk.
//   node bench/startup.mjs [runs]
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, formatMs, median, printRatio, requireBuild, timeCommandsInterleaved } from "./lib.mjs";

requireBuild();
const RUNS = Number(process.argv[2]) || 15;
const TARGETS = { version: 1.2, verify: 1.25 };

const dir = mkdtempSync(join(tmpdir(), "fanfare-bench-"));
try {
  const secret = "whsec_benchStartupSecret0123456789";
  const body = JSON.stringify({ id: "whk_01J1Z8Q6ZK3M4N5P6Q7R8S9T0V", type: "draw.consumer.won", data: { amount: "149.99" } });
  const payload = join(dir, "body.json");
  writeFileSync(payload, body);
  const ts = Math.floor(Date.now() / 1000);
  const signature = `t=${ts},v1=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`;
  // No FANFARE_* from the developer's shell, a throwaway config folder, and no colour probing.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FANFARE_")));
  Object.assign(env, { FANFARE_CONFIG_DIR: dir, NO_COLOR: "1" });

  const node = process.execPath;
  const commands = [
    { label: "node -e 0", cmd: node, args: ["-e", "0"], env },
    { label: "fanfare --version", cmd: node, args: [BIN, "--version"], env },
    {
      label: "fanfare webhooks verify",
      cmd: node,
      // --tolerance 0: the signature is made once, and a slow run must not turn it into "expired".
      args: [BIN, "webhooks", "verify", "--secret", secret, "--payload", payload, "--signature", signature, "--tolerance", "0"],
      env,
    },
  ];
  console.log(`start-up, median of ${RUNS} runs each (round-robin, after 3 warm-up rounds), node ${process.version}`);
  const results = timeCommandsInterleaved(commands, { runs: RUNS, warmup: 3 });
  const base = results["node -e 0"].median;
  for (const c of commands) {
    const r = results[c.label];
    console.log(`  ${c.label.padEnd(26)} median ${formatMs(r.median).padStart(9)}  min ${formatMs(r.min).padStart(9)}  p90 ${formatMs(r.p90).padStart(9)}`);
  }
  const passed = [
    printRatio("fanfare --version vs node -e 0", results["fanfare --version"].median / base, TARGETS.version),
    printRatio("fanfare webhooks verify vs node -e 0", results["fanfare webhooks verify"].median / base, TARGETS.verify),
  ];

  // Where the time goes: how long `require(module)` takes in a fresh process, timed inside that
  // process (so spawn noise stays out). dist/ is CommonJS but for the live view's ES module chunk,
  // which no short command loads. A command's chunk (dist/chunks/<command>-<hash>.cjs) includes the
  // shared chunks it requires.
  const commandNames = new Set(readdirSync(join(ROOT, "src/commands")).map((f) => f.replace(/\.tsx?$/, "")));
  const modules = [
    ["node:crypto", "node:crypto"],
    ["dist/cli.cjs (every command)", join(ROOT, "dist/cli.cjs")],
    ...readdirSync(join(ROOT, "dist/chunks"))
      .filter((f) => f.endsWith(".cjs") && commandNames.has(f.replace(/-[A-Z0-9]+\.cjs$/, "")))
      .map((f) => [`dist/chunks/${f}`, join(ROOT, "dist/chunks", f)]),
  ];
  const importRuns = Math.max(7, Math.round(RUNS / 3));
  // A script file, not `node -e`: Node's -e mode has already loaded node:crypto for its globals.
  const timer = join(dir, "time-require.cjs");
  // performance.now() first, as its first use loads perf_hooks, which would count against the row;
  // the time is taken before touching process.stdout, whose getter builds a stream.
  writeFileSync(timer, "performance.now(); const t = performance.now(); require(process.argv[2]); process.stdout.write(String(performance.now() - t));\n");
  const importTimes = importCosts(modules, timer, importRuns, env);
  console.log(`\nrequire cost in a fresh process (median of ${importRuns}; a row includes what it requires):`);
  for (const [label] of modules) console.log(`  ${label.padEnd(42)} ${formatMs(importTimes[label]).padStart(9)}`);
  if (passed.includes(false)) {
    console.log("\nMISS: the require rows show what dist/cli.cjs and each command's chunk cost.");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** { label: median ms of `require(spec)` in fresh processes, timed by the script `timer` }. */
function importCosts(specs, timer, runs, env) {
  const times = Object.fromEntries(specs.map(([label]) => [label, []]));
  for (let round = 0; round < runs; round++) {
    for (const [label, spec] of specs) {
      const r = spawnSync(process.execPath, [timer, spec], { cwd: ROOT, env, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`requiring ${spec} failed:\n${r.stderr}`);
      times[label].push(Number(r.stdout));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([label, t]) => [label, median(t)]));
}
