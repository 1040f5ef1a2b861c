#!/usr/bin/env node
// The Node matrix: the packed tarball, installed and smoke-tested under each Node version a user may
// run (22 and 24; the suite itself runs on the machine's Node 20). Each Node comes from the npm
// registry's `node` package, so this needs nothing but the registry. Part of the README's test
// command, which .ci/run runs as it is.
//   node scripts/node-matrix.mjs [--versions 22,24] [--keep]
// The Node binaries are kept for a day in ~/.cache/fanfare-node-matrix (FANFARE_NODE_MATRIX_CACHE).
// Smoke per version: `--version`; `trigger --all` to a receiver that verifies every signature;
// `verify` of a good and a bad signature; `listen --no-tui` forwarding one delivery from `trigger`;
// listen's live view opening on a pseudo-terminal (where `script` is installed).
import { execFile, spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const versions = (args.includes("--versions") ? args[args.indexOf("--versions") + 1] : "22,24").split(",");
const keep = args.includes("--keep");
const packageVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const SECRET = "whsec_matrixSmokeSecret0123456789";
const started = performance.now();
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);

// npm itself, run by whichever Node installs the package (npm 11 supports 20.17+, 22.9+ and 24).
const npmCli =
  process.env.npm_execpath && process.env.npm_execpath.endsWith(".js")
    ? process.env.npm_execpath
    : join(dirname(realpathSync(process.execPath)), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");
const work = mkdtempSync(join(tmpdir(), "fanfare-node-matrix-"));
// Where the fetched Node binaries are kept between runs (FANFARE_NODE_MATRIX_CACHE moves it).
const cache = process.env.FANFARE_NODE_MATRIX_CACHE || join(homedir(), ".cache", "fanfare-node-matrix");
const CACHE_MS = 24 * 60 * 60 * 1000;
mkdirSync(cache, { recursive: true });
// No developer settings, no update notices; a config folder of the run's own.
const env = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
for (const key of Object.keys(env)) if (key.startsWith("FANFARE_") || key === "CLOUDFLARED_BIN") delete env[key];

function fail(message) {
  throw new Error(message);
}

async function npm(node, argv, cwd = work) {
  return run(node, [npmCli, ...argv], { cwd, env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
}

/**
 * A Node binary of `major` from the registry's `node` package (its install step fetches the platform's
 * build). Kept in a cache folder for a day: fetching both takes most of the matrix's time, and the
 * newest patch release a day late is as good a check.
 */
async function fetchNode(major) {
  const prefix = join(cache, `node-${major}`);
  const bin = join(prefix, "node_modules", "node", "bin", "node");
  const marker = join(prefix, ".fetched");
  if (existsSync(bin) && existsSync(marker) && Date.now() - statSync(marker).mtimeMs < CACHE_MS) return { bin, cached: true };
  rmSync(prefix, { recursive: true, force: true });
  await npm(process.execPath, ["install", "--prefix", prefix, "--no-save", `node@${major}`]);
  if (!existsSync(bin)) fail(`node@${major} installed no binary at ${bin}`);
  writeFileSync(marker, new Date().toISOString() + "\n");
  return { bin, cached: false };
}

/** A receiver standing in for the user's app: 200 for a valid current v1 signature, 401 otherwise. */
async function verifyingReceiver(secret) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const ts = String(req.headers["x-fanfare-timestamp"]);
      const expected = `t=${ts},v1=${createHmac("sha256", secret()).update(`${ts}.${body}`).digest("hex")}`;
      const valid = req.headers["x-fanfare-signature"] === expected;
      received.push({ type: req.headers["x-fanfare-event-type"], valid });
      res.writeHead(valid ? 200 : 401).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/webhooks`, received, close: () => new Promise((r) => server.close(r)) };
}

/** Resolves once `pattern` shows in the child's output; rejects if it exits first or after `ms`. */
function waitForOutput(child, pattern, ms, output) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}\n${output()}`)), ms);
    const check = () => {
      if (pattern.test(output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    child.on("exit", () => {
      clearTimeout(timer);
      reject(new Error(`exited before ${pattern}\n${output()}`));
    });
    check();
  });
}

const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

async function smoke(major, node, tarball) {
  const t0 = performance.now();
  const app = join(work, `app-${major}`);
  // Installed by npm running on this Node, with install scripts off: see README "Install" on cloudflared.
  await npm(node, ["install", "--prefix", app, tarball, "--ignore-scripts"]);
  const bin = join(app, "node_modules", "fanfare", "bin", "fanfare.js");
  const config = join(work, `config-${major}`);
  const runEnv = { ...env, FANFARE_CONFIG_DIR: config, NO_COLOR: "1" };
  const fanfare = (argv, options = {}) => run(node, [bin, ...argv], { env: runEnv, timeout: 60_000, ...options });
  const actual = (await run(node, ["--version"])).stdout.trim();
  const steps = [];

  const { stdout: version } = await fanfare(["--version"]);
  if (version.trim() !== packageVersion) fail(`--version printed ${version.trim()}, not ${packageVersion}`);
  steps.push("--version");

  let secret = SECRET;
  const receiver = await verifyingReceiver(() => secret);
  try {
    const { stdout } = await fanfare(["webhooks", "trigger", "--all", "--forward-to", receiver.url, "--secret", SECRET, "--concurrency", "4"]);
    const bad = receiver.received.filter((r) => !r.valid);
    if (receiver.received.length < 50 || bad.length > 0) {
      fail(`trigger --all: the receiver got ${receiver.received.length} deliveries, ${bad.length} not verified\n${stdout}`);
    }
    steps.push(`trigger --all (${receiver.received.length} verified)`);

    const body = '{"id":"whk_01MATRIX","type":"draw.consumer.won","data":{}}';
    const bodyFile = join(work, `body-${major}.json`);
    writeFileSync(bodyFile, body);
    const ts = Math.floor(Date.now() / 1000);
    const signature = `t=${ts},v1=${createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex")}`;
    const good = await fanfare(["webhooks", "verify", "--secret", SECRET, "--payload", bodyFile, "--signature", signature]);
    if (!/valid signature/.test(good.stdout)) fail(`verify: ${good.stdout}`);
    const bad2 = await fanfare(["webhooks", "verify", "--secret", "whsec_other", "--payload", bodyFile, "--signature", signature]).then(
      () => fail("verify accepted a signature made with another secret"),
      (error) => error,
    );
    if (bad2.code !== 1) fail(`verify of a bad signature exited ${bad2.code}, not 1`);
    steps.push("verify");

    // listen, with trigger finding it through the session file: the two-terminal workflow.
    secret = (await fanfare(["webhooks", "listen", "--print-secret"])).stdout.trim();
    receiver.received.length = 0;
    const listen = spawn(node, [bin, "webhooks", "listen", "--forward", receiver.url, "--no-tui"], { env: runEnv });
    let output = "";
    listen.stdout.setEncoding("utf8").on("data", (d) => (output += d));
    listen.stderr.setEncoding("utf8").on("data", (d) => (output += d));
    const exited = new Promise((resolve) => listen.on("exit", (code, signal) => resolve({ code, signal })));
    try {
      await waitForOutput(listen, /Ready\./, 30_000, () => output);
      await fanfare(["webhooks", "trigger", "draw.consumer.won"]);
      await waitForOutput(listen, /<-- \[200\] POST .* \[whk_/, 15_000, () => output);
      if (receiver.received.length !== 1 || !receiver.received[0].valid) {
        fail(`listen forwarded ${receiver.received.length} deliveries (verified: ${receiver.received.map((r) => r.valid)})`);
      }
    } finally {
      listen.kill("SIGTERM");
    }
    const { code } = await exited;
    if (code !== 130) fail(`listen exited ${code} on SIGTERM, not 130\n${output}`);
    steps.push("listen --no-tui (1 delivery forwarded, exit 130 on SIGTERM)");

    // The live view is the one ES module chunk, loaded with import() from CommonJS: it opens only on
    // a terminal, which `script` (util-linux) provides where it is installed.
    if (hasScript) {
      const command = [node, bin, "webhooks", "listen", "--forward", receiver.url].map((a) => JSON.stringify(a)).join(" ");
      // CI=false: in a CI run listen prints lines, not the view (Ink would draw only its last frame).
      const view = spawn("script", ["-qefc", command, "/dev/null"], { env: { ...runEnv, TERM: "xterm-256color", CI: "false" } });
      let screen = "";
      view.stdout.setEncoding("utf8").on("data", (d) => (screen += d));
      view.stderr.setEncoding("utf8").on("data", (d) => (screen += d));
      const viewExited = new Promise((resolve) => view.on("exit", (code) => resolve(code)));
      try {
        await waitForOutput(view, /waiting for deliveries/, 30_000, () => screen);
        view.stdin.write("q");
        const viewCode = await viewExited;
        if (viewCode !== 0 || /unexpected error/.test(screen)) fail(`listen's live view exited ${viewCode}\n${screen}`);
      } finally {
        view.kill("SIGKILL");
      }
      steps.push("listen's live view (opened, q)");
    }
  } finally {
    await receiver.close();
  }
  console.log(`node matrix: Node ${actual} ok in ${seconds(t0)} s: ${steps.join(", ")}`);
}

try {
  const fetched = Promise.all(versions.map(async (v) => [v, await fetchNode(v)]));
  fetched.catch(() => {});
  // dist/ was built by `npm test`; scripts are skipped so packing does not rebuild it.
  if (!existsSync(join(root, "dist", "cli.cjs"))) fail("dist/ is not built: run `npm run build` (npm test does) first");
  const { stdout } = await npm(process.execPath, ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], root);
  const tarball = join(work, stdout.trim().split("\n").pop());
  const nodes = await fetched;
  const how = nodes.map(([v, n]) => `${v}${n.cached ? " (cached)" : ""}`).join(" and ");
  console.log(`node matrix: packed ${tarball.split("/").pop()}, Node ${how} ready in ${seconds(started)} s`);
  for (const [major, node] of nodes) await smoke(major, node.bin, tarball);
  console.log(`node matrix: Node ${versions.join(", ")} all ok in ${seconds(started)} s`);
} catch (error) {
  console.error(`node matrix FAILED: ${error.stack ?? error}`);
  if (error.stderr) console.error(String(error.stderr));
  process.exitCode = 1;
} finally {
  if (keep) console.log(`node matrix: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
