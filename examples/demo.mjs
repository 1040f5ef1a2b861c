#!/usr/bin/env node
// The whole local loop on one machine, in a few seconds, with no account and no network:
//
//   trigger --all  ──►  fanfare webhooks listen  ──►  examples/receiver.mjs (your app)
//
// It starts the example receiver with listen's signing secret, runs `fanfare webhooks listen` in
// local mode forwarding to it, sends a signed sample of every documented event with
// `fanfare webhooks trigger --all` (no --forward-to: trigger finds the running listen), and checks
// that each one went through listen and passed the receiver's signature check.
//
//   npm run demo          (builds first; or: node examples/demo.mjs after a build)
//
// It uses a throwaway config folder, so your own config and any running listen are left alone.
// Exits 0 only when every event was delivered (2xx) and verified by the receiver.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "fanfare.js");
const receiverScript = join(root, "examples", "receiver.mjs");
const STARTUP_TIMEOUT_MS = 15_000;

if (!existsSync(join(root, "dist", "cli.cjs"))) {
  console.error("error: the CLI is not built; run `npm run demo` (or `npm run build` first)");
  process.exit(2);
}

// Local mode on purpose: no API key or API base from the caller's environment, a fresh config folder.
const configDir = mkdtempSync(join(tmpdir(), "fanfare-demo-"));
const env = { ...process.env, FANFARE_CONFIG_DIR: configDir, NO_COLOR: "1" };
for (const name of ["FANFARE_SECRET_KEY", "FANFARE_API_BASE", "FANFARE_PROFILE", "FANFARE_WEBHOOK_SECRET"]) delete env[name];

const children = [];
function cleanUp() {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  rmSync(configDir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
// However the demo ends (an error, its output closed under `| head`), no child outlives it.
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(configDir, { recursive: true, force: true });
});
process.stdout.on("error", () => process.exit(1));

/** Prints a child's output line by line with a label, and hands each line to `onLine`. */
function relay(stream, label, onLine = () => {}) {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop();
    for (const line of lines) {
      console.log(`${label} │ ${line}`);
      onLine(line);
    }
  });
  stream.on("end", () => {
    if (buffered) {
      console.log(`${label} │ ${buffered}`);
      onLine(buffered);
    }
  });
}

/** Spawns a child and resolves once one of its output lines matches `ready` (with the match). */
function start(label, args, childEnv, ready, onLine = () => {}) {
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const closed = new Promise((resolve) => child.on("close", (code) => resolve(code)));
  const matched = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label.trim()} did not start`)), STARTUP_TIMEOUT_MS);
    const watch = (line) => {
      onLine(line);
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    relay(child.stdout, label, watch);
    relay(child.stderr, label, watch);
    child.on("exit", (code) => reject(new Error(`${label.trim()} exited (${code}) before it was ready`)));
  });
  return { child, closed, matched };
}

function fail(message) {
  console.error(`error: ${message}`);
  cleanUp();
  process.exit(1);
}

// 1. listen's signing secret: generated once and kept in the config (here, the throwaway one).
const secret = execFileSync(process.execPath, [cli, "webhooks", "listen", "--print-secret"], { env, encoding: "utf8" }).trim();

// 2. The app: the example receiver on a free port, verifying with that secret.
let verified = 0;
let rejected = 0;
const receiver = start("receiver", [receiverScript, "--port", "0"], { ...env, FANFARE_WEBHOOK_SECRET: secret }, /listening on (http:\/\/\S+)/, (line) => {
  if (line.startsWith("✓")) verified++;
  if (line.startsWith("✗")) rejected++;
});
const receiverUrl = (await receiver.matched.catch((e) => fail(e.message)))[1];

// 3. listen, forwarding to the app (lines, not the live view: this output is not a terminal).
console.log(`\n$ fanfare webhooks listen --forward ${receiverUrl}\n`);
const listen = start("listen  ", [cli, "webhooks", "listen", "--forward", receiverUrl, "--no-tui"], env, /^Ready\b/);
await listen.matched.catch((e) => fail(e.message));

// 4. Every documented event, to the running listen, signed with its secret.
console.log("\n$ fanfare webhooks trigger --all\n");
let summary;
const trigger = start("trigger ", [cli, "webhooks", "trigger", "--all"], env, /^(\d+) sent, (\d+) ok, (\d+) failed/);
trigger.matched.then((m) => (summary = { sent: Number(m[1]), ok: Number(m[2]), failed: Number(m[3]) }), () => {});
const triggerExit = await trigger.closed;

// 5. Stop listen (Ctrl-C) and the receiver; their output is complete once they have closed.
listen.child.kill("SIGINT");
await listen.closed;
receiver.child.kill("SIGTERM");
await receiver.closed;
rmSync(configDir, { recursive: true, force: true });

const sent = summary?.sent ?? 0;
const ok = triggerExit === 0 && summary !== undefined && summary.ok === sent && verified === sent && rejected === 0 && sent > 0;
console.log("");
if (ok) {
  console.log(`✓ ${verified}/${sent} events went through listen and were verified by the receiver`);
} else {
  console.log(
    `✗ ${verified}/${sent} events verified by the receiver` +
      ` (trigger exited ${triggerExit}, ${summary?.ok ?? 0} delivered, ${rejected} rejected)`,
  );
}
process.exit(ok ? 0 : 1);
