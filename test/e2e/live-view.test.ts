import { spawn, spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT, cleanEnv, spawnCli, tempConfigDir } from "../helpers/cli.js";
import { waitUntil } from "../helpers/wait.js";

// The live view is the one part of dist/ that stays an ES module (Ink awaits at its top level),
// loaded with import() from the CommonJS chunks: only the built package on a real terminal shows
// that it loads. `script` (util-linux) gives the binary a pseudo-terminal and passes our input to it.
const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

describe.skipIf(!hasScript)("the live view of the built package, on a terminal", () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("listen opens its view, shows a delivery's row, and quits on q", async () => {
    const config = tempConfigDir();
    cleanups.push(config.cleanup);
    // CI=false: in a CI run listen prints lines, not the view (vitest's config says so too).
    const env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir, TERM: "xterm-256color", COLUMNS: "120", LINES: "30", CI: "false" });
    // Port 9 (discard) refuses: the row then shows the app's answer as a 502, which is still a row.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} webhooks listen --tunnel none --forward 127.0.0.1:9/hooks`;
    const child = spawn("script", ["-qefc", command, "/dev/null"], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(() => child.kill("SIGKILL"));
    let screen = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (screen += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (screen += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

    await waitUntil(() => screen.includes("waiting for deliveries"), 20_000, "the live view");
    const sent = await spawnCli(["webhooks", "trigger", "draw.consumer.won"], { env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir }) });
    expect(sent.stderr).toContain("draw.consumer.won");
    await waitUntil(() => /draw\.consumer\.won[^\n]*whk_/.test(screen), 20_000, "the delivery's row");

    child.stdin.write("q");
    expect(await exited).toBe(0);
    expect(screen).not.toMatch(/unexpected error|Error:/);
    expect(screen).toContain("listen: 1 received");
  }, 60_000);
});
