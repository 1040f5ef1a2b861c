#!/usr/bin/env node
// Runs every benchmark in turn (they share two cores, so never in parallel) and prints their ratios.
// Each script measures its own baseline in the same run; absolute times on these machines mean little.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = ["startup.mjs", "verify.mjs", "trigger.mjs", "listen.mjs", "emulator.mjs"].filter(
  (s) => only.length === 0 || only.some((o) => s.startsWith(o)),
);

let failed = false;
for (const script of scripts) {
  const path = join(here, script);
  if (!existsSync(path)) continue;
  console.log(`\n== ${script}`);
  const result = spawnSync(process.execPath, [path], { stdio: "inherit" });
  if (result.status !== 0) {
    failed = true;
    console.log(`${script} exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed ? 1 : 0;
