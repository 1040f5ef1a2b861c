import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, cleanEnv } from "../helpers/cli.js";

const run = promisify(execFile);
const TIMEOUT_MS = 180_000;
const SECRET = "whsec_packTestSecret0123456789";
const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

let dir: string;
let installed: string;
let env: NodeJS.ProcessEnv;

// What a user gets from `npm install fanfare`: the packed tarball (files from package.json's
// "files"), installed into an empty folder, run through the bin link npm creates.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fanfare-pack-"));
  env = cleanEnv({ FANFARE_CONFIG_DIR: join(dir, "config"), npm_config_update_notifier: "false" });
  // dist/ is already built; scripts are skipped so packing does not rebuild it.
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], {
    cwd: ROOT,
    env,
  });
  const tarball = join(dir, stdout.trim().split("\n").pop()!);
  installed = join(dir, "install");
  await run(
    "npm",
    ["install", "--prefix", installed, tarball, "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
    { cwd: dir, env, timeout: TIMEOUT_MS },
  );
}, TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fanfare = (args: string[]) =>
  run(join(installed, "node_modules", ".bin", "fanfare"), args, { cwd: dir, env, timeout: 20_000 });

describe("the packed package", () => {
  it("installs a working `fanfare` binary that prints the package version", async () => {
    const { stdout } = await fanfare(["--version"]);
    expect(stdout.trim()).toBe(version);
  });

  it("verifies a valid signature from the installed copy", async () => {
    const body = '{"id":"whk_01PACK","type":"draw.consumer.won","data":{}}';
    const bodyFile = join(dir, "body.json");
    writeFileSync(bodyFile, body);
    const ts = Math.floor(Date.now() / 1000);
    const signature = `t=${ts},v1=${createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex")}`;
    const { stdout } = await fanfare(["webhooks", "verify", "--secret", SECRET, "--payload", bodyFile, "--signature", signature]);
    expect(stdout).toMatch(/valid signature \(v1/);
    // A wrong signature fails with exit 1, so the check above is not vacuous.
    await expect(
      fanfare(["webhooks", "verify", "--secret", "whsec_other", "--payload", bodyFile, "--signature", signature]),
    ).rejects.toMatchObject({ code: 1 });
  });

  it("sends a signed delivery with trigger (undici is in the bundle, not an installed dependency)", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8").on("data", (c: string) => (body += c));
      req.on("end", () => {
        const ts = String(req.headers["x-fanfare-timestamp"]);
        const expected = `t=${ts},v1=${createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex")}`;
        bodies.push(body);
        res.writeHead(req.headers["x-fanfare-signature"] === expected ? 200 : 401).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
      const { stdout } = await fanfare(["webhooks", "trigger", "draw.consumer.won", "--forward-to", url, "--secret", SECRET]);
      expect(stdout).toMatch(/^1 sent, 1 ok, 0 failed/m);
      expect(bodies).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("ships the compiled CLI and the examples, not the sources or tests", () => {
    const pkg = join(installed, "node_modules", "fanfare");
    expect(existsSync(join(pkg, "dist", "cli.cjs"))).toBe(true);
    expect(existsSync(join(pkg, "examples", "receiver.mjs"))).toBe(true);
    expect(existsSync(join(pkg, "examples", "demo.mjs"))).toBe(true);
    expect(readdirSync(pkg)).not.toContain("src");
    expect(readdirSync(pkg)).not.toContain("test");
  });

  it("bundles React's production build only, whatever NODE_ENV the user has", () => {
    const chunks = join(installed, "node_modules", "fanfare", "dist", "chunks");
    const files = readdirSync(chunks).filter((f) => /\.[cm]js$/.test(f));
    const containing = (pattern: RegExp) => files.filter((f) => pattern.test(readFileSync(join(chunks, f), "utf8")));
    expect(containing(/react-reconciler\.production\.js/)).toHaveLength(1);
    expect(containing(/react(-reconciler)?\.development\.js/)).toEqual([]);
  });
});
