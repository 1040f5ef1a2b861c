import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT, cleanEnv } from "../helpers/cli.js";
import { freePort } from "../listen/servers.js";

// The README's CI recipe, run as written: bash, the built binary on the PATH as `fanfare` (what
// `npm install --global .` gives), the example receiver as the app, in a folder of its own.

function recipe(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const match = /<!-- ci-recipe -->\n```sh\n([\s\S]*?)\n```/.exec(readme);
  if (!match) throw new Error("README.md has no <!-- ci-recipe --> block");
  return match[1]!;
}

function runScript(script: string, env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A folder to run the recipe in, as a project would: `fanfare` on PATH (bin/), examples/ beside it. */
function recipeFolder(): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), "fanfare-ci-recipe-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(BIN, join(bin, "fanfare"));
  symlinkSync(join(ROOT, "examples"), join(dir, "examples"));
  return { dir, bin };
}

describe("README: the CI recipe", () => {
  it("runs green as written: background listen, trigger --wait --json, jq, the exit summary", async () => {
    const { dir, bin } = recipeFolder();
    try {
      const env = cleanEnv({
        FANFARE_CONFIG_DIR: join(dir, "config"),
        // A key left over from the emulator walkthrough: the recipe's --local keeps listen local.
        FANFARE_SECRET_KEY: "sk_test_leftOver",
        APP_PORT: String(await freePort()),
        PATH: `${bin}${delimiter}${process.env.PATH}`,
      });
      const { code, output } = await runScript(recipe(), env, dir);
      expect(code, output).toBe(0);
      expect(output).toContain("2 of 2 deliveries answered 2xx");
      expect(output).toMatch(/^listen: 2 received, 2 ok, 0 failed, 0 bad signature in \d+ s$/m);
      // The app verified both, with listen's secret.
      expect(readFileSync(join(dir, "app.log"), "utf8").match(/^✓ .* verified$/gm)).toHaveLength(2);
      const lines = readFileSync(join(dir, "trigger.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.at(-1)).toMatchObject({ summary: { sent: 2, ok: 2, failed: 0 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it("fails (exit 1, the cause printed) when the app rejects the deliveries", async () => {
    const { dir, bin } = recipeFolder();
    try {
      const env = cleanEnv({ FANFARE_CONFIG_DIR: join(dir, "config"), APP_PORT: String(await freePort()), PATH: `${bin}${delimiter}${process.env.PATH}` });
      // The app verifies with another secret than listen's: every delivery gets 401.
      const script = recipe().replace(
        'node examples/receiver.mjs --port "$APP_PORT"',
        'FANFARE_WEBHOOK_SECRET=whsec_notListens0123456789 node examples/receiver.mjs --port "$APP_PORT"',
      );
      const { code, output } = await runScript(script, env, dir);
      expect(code, output).toBe(1);
      expect(output).toMatch(/^failed: draw\.consumer\.won \[whk_\w+\] 401 $/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
