#!/usr/bin/env node
// The whole loop on one machine, in a few seconds: start the example receiver with a fresh secret,
// send it a signed sample of every documented event with `fanfare webhooks trigger --all`, and
// check that each one arrived and passed the receiver's signature check.
//
//   npm run demo          (builds first; or: node examples/demo.mjs after a build)
//
// Exits 0 only when every event was delivered (2xx) and verified by the receiver.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "fanfare.js");
const receiverScript = join(root, "examples", "receiver.mjs");
const STARTUP_TIMEOUT_MS = 10_000;

if (!existsSync(join(root, "dist", "cli.js"))) {
  console.error("error: the CLI is not built; run `npm run demo` (or `npm run build` first)");
  process.exit(2);
}

// A throwaway secret: in real use it comes from `fanfare webhooks listen` or the endpoint you created.
const secret = "whsec_" + randomBytes(24).toString("base64url");

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

// 1. The receiver, on a free port (--port 0), verifying with the secret.
const receiver = spawn(process.execPath, [receiverScript, "--port", "0"], {
  env: { ...process.env, FANFARE_WEBHOOK_SECRET: secret },
  stdio: ["ignore", "pipe", "pipe"],
});
const receiverClosed = new Promise((resolve) => receiver.on("close", resolve));
let verified = 0;
let rejected = 0;
const receiverUrl = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("the receiver did not start")), STARTUP_TIMEOUT_MS);
  relay(receiver.stdout, "receiver", (line) => {
    const listening = /listening on (http:\/\/\S+)/.exec(line);
    if (listening) {
      clearTimeout(timer);
      resolve(listening[1]);
    }
    if (line.startsWith("✓")) verified++;
    if (line.startsWith("✗")) rejected++;
  });
  relay(receiver.stderr, "receiver");
  receiver.on("exit", (code) => reject(new Error(`the receiver exited (${code}) before it was ready`)));
}).catch((error) => {
  console.error(`error: ${error.message}`);
  receiver.kill();
  process.exit(1);
});

// 2. Every documented event, signed with the same secret, sent to the receiver.
const args = ["webhooks", "trigger", "--all", "--forward-to", receiverUrl, "--secret", secret];
console.log(`\n$ fanfare ${args.join(" ").replace(secret, "whsec_…")}\n`);
const trigger = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
let summary;
relay(trigger.stdout, "trigger ", (line) => {
  const m = /^(\d+) sent, (\d+) ok, (\d+) failed/.exec(line);
  if (m) summary = { sent: Number(m[1]), ok: Number(m[2]), failed: Number(m[3]) };
});
relay(trigger.stderr, "trigger ");
const triggerExit = await new Promise((resolve) => trigger.on("close", (code) => resolve(code)));

// 3. Stop the receiver; its output is complete once it has closed.
receiver.kill("SIGTERM");
await receiverClosed;

const sent = summary?.sent ?? 0;
const ok = triggerExit === 0 && summary !== undefined && summary.ok === sent && verified === sent && rejected === 0 && sent > 0;
console.log("");
if (ok) {
  console.log(`✓ ${verified}/${sent} events delivered and verified by the receiver`);
} else {
  console.log(
    `✗ ${verified}/${sent} events verified by the receiver` +
      ` (trigger exited ${triggerExit}, ${summary?.ok ?? 0} delivered, ${rejected} rejected)`,
  );
}
process.exit(ok ? 0 : 1);
