import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT, cleanEnv, spawnCli, tempConfigDir } from "../helpers/cli.js";
import { waitUntil } from "../helpers/wait.js";

// The examples run as a person runs them: node scripts that start the real binary.
const SECRET = "whsec_e2eTriggerSecret0123456789abcdef";
let config: { dir: string; cleanup: () => void };
beforeEach(() => {
  config = tempConfigDir();
});
afterEach(() => config.cleanup());

/** examples/receiver.mjs on a free port, verifying with `secret`, once it says where it listens. */
async function startReceiver(secret: string): Promise<{ url: string; output: () => string; stop: () => void }> {
  const receiver = spawn(process.execPath, [join(ROOT, "examples", "receiver.mjs"), "--port", "0"], {
    env: cleanEnv({ FANFARE_WEBHOOK_SECRET: secret }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  receiver.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    receiver.stdout.on("data", () => {
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    receiver.on("exit", () => reject(new Error(`receiver exited: ${output}`)));
  });
  return { url, output: () => output, stop: () => receiver.kill("SIGKILL") };
}

describe("examples/receiver.mjs", () => {
  it("answers 401 and says why when the signature does not match its secret", async () => {
    const receiver = await startReceiver("whsec_theReceiversOwnSecret");
    try {
      const r = await spawnCli(["webhooks", "trigger", "draw.consumer.won", "--forward-to", receiver.url, "--secret", SECRET]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/<-- \[401\]/);
      // The receiver logs before it answers; the line may still be in the pipe.
      await waitUntil(() => receiver.output().includes("✗"), 2_000, "the receiver's log line");
      expect(receiver.output()).toMatch(/^✗ draw\.consumer\.won whk_\w+ bad signature: signature does not match/m);
    } finally {
      receiver.stop();
    }
  });
});

describe("examples/receiver.mjs under webhooks check", () => {
  it("passes every check, as the README's CI step runs it", async () => {
    const receiver = await startReceiver(SECRET);
    try {
      const r = await spawnCli(["webhooks", "check", "--forward-to", receiver.url], {
        env: cleanEnv({ FANFARE_WEBHOOK_SECRET: SECRET, FANFARE_CONFIG_DIR: config.dir }),
        // A process start and 61 requests (one of 1 MB) on a loaded machine.
        timeoutMs: 45_000,
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      for (const title of ["valid deliveries", "bad signature", "missing signature", "tampered body", "old timestamp", "redelivery", "1 MB payload", "non-ASCII text"]) {
        expect(r.stdout).toMatch(new RegExp(`^pass  ${title} `, "m"));
      }
      expect(r.stdout).toMatch(/^8 passed, 0 warnings, 0 failed: 61 requests to /m);
    } finally {
      receiver.stop();
    }
  }, 60_000);
});

describe("examples/demo.mjs", () => {
  it("delivers all 52 events through listen to the example receiver, which verifies every one", async () => {
    const child = spawn(process.execPath, [join(ROOT, "examples", "demo.mjs")], {
      cwd: ROOT,
      env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((r) => child.on("close", r));
    clearTimeout(timer);
    expect(code, output).toBe(0);
    expect(output).toContain("✓ 52/52 events went through listen and were verified by the receiver");
    expect(output.match(/receiver │ ✓ \S+ whk_\w+ verified/g)).toHaveLength(52);
    // Each one passed through listen on its way (one line each way).
    expect(output.match(/listen +│ \S+ <-- \[200\] POST /g)).toHaveLength(52);
  });
});
