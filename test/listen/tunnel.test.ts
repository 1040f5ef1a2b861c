import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAlive } from "../../src/session/state-file.js";
import { findCloudflared, startQuickTunnel, TunnelStartAborted, type QuickTunnel } from "../../src/listen/tunnel.js";
import { ROOT, tempConfigDir } from "../helpers/cli.js";

const FAKE = join(ROOT, "test", "fixtures", "fake-cloudflared");
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function temp(): string {
  const dir = tempConfigDir();
  cleanups.push(dir.cleanup);
  return dir.dir;
}

describe("findCloudflared", () => {
  it("takes CLOUDFLARED_BIN first, and refuses one that is not an executable file (exit 2, hint)", () => {
    expect(findCloudflared({ CLOUDFLARED_BIN: FAKE, PATH: "" })).toEqual({ path: FAKE, from: "env" });
    expect(() => findCloudflared({ CLOUDFLARED_BIN: join(ROOT, "package.json"), PATH: "" })).toThrow(
      expect.objectContaining({ exitCode: 2, hint: expect.stringContaining("--tunnel none") }),
    );
  });

  it("falls back to PATH, and says how to get one when there is none", () => {
    const dir = temp();
    mkdirSync(join(dir, "bin"));
    const onPath = join(dir, "bin", "cloudflared");
    writeFileSync(onPath, "#!/bin/sh\n");
    chmodSync(onPath, 0o755);
    // (the npm package's own binary is not downloaded in this checkout)
    expect(existsSync(join(ROOT, "node_modules", "cloudflared", "bin", "cloudflared"))).toBe(false);
    expect(findCloudflared({ PATH: `/nonexistent:${join(dir, "bin")}` })).toEqual({ path: onPath, from: "path" });
    expect(() => findCloudflared({ PATH: "/nonexistent" })).toThrow(
      expect.objectContaining({
        exitCode: 2,
        code: "cloudflared_missing",
        hint: expect.stringMatching(/CLOUDFLARED_BIN.*--tunnel none/),
      }),
    );
  });
});

describe("startQuickTunnel (with the stand-in binary)", () => {
  it("resolves with the trycloudflare URL, passes --url, and stop() ends the process", async () => {
    const state = join(temp(), "state.json");
    process.env.FAKE_CLOUDFLARED_STATE = state;
    cleanups.push(() => delete process.env.FAKE_CLOUDFLARED_STATE);
    const lines: string[] = [];
    const tunnel: QuickTunnel = await startQuickTunnel("http://127.0.0.1:4321", {
      binary: { path: FAKE, from: "env" },
      onLog: (l) => lines.push(l),
    });
    cleanups.push(() => tunnel.stop());
    const written = JSON.parse(readFileSync(state, "utf8"));
    expect(tunnel.url).toBe(written.url);
    expect(written.argv).toEqual(["tunnel", "--url", "http://127.0.0.1:4321"]);
    expect(lines.some((l) => l.includes("Your quick Tunnel has been created"))).toBe(true);
    await tunnel.stop();
    expect(await tunnel.exited).toMatchObject({ code: 0 });
    expect(isAlive(tunnel.pid!)).toBe(false);
  });

  it("rejects with cloudflared's last words when it exits before a URL (not taking api.trycloudflare.com for one)", async () => {
    process.env.FAKE_CLOUDFLARED_MODE = "fail";
    cleanups.push(() => delete process.env.FAKE_CLOUDFLARED_MODE);
    await expect(startQuickTunnel("http://127.0.0.1:4321", { binary: { path: FAKE, from: "env" } })).rejects.toMatchObject({
      exitCode: 1,
      message: "cloudflared exited with code 1 before the tunnel was up",
      hint: expect.stringContaining("no such host"),
    });
  });

  it("stops cloudflared and rejects with TunnelStartAborted when aborted while waiting for the URL", async () => {
    const state = join(temp(), "state.json");
    process.env.FAKE_CLOUDFLARED_STATE = state;
    process.env.FAKE_CLOUDFLARED_MODE = "delay-url:60000";
    cleanups.push(() => {
      delete process.env.FAKE_CLOUDFLARED_STATE;
      delete process.env.FAKE_CLOUDFLARED_MODE;
    });
    const abort = new AbortController();
    const starting = startQuickTunnel("http://127.0.0.1:4321", { binary: { path: FAKE, from: "env" }, signal: abort.signal });
    const rejected = expect(starting).rejects.toBeInstanceOf(TunnelStartAborted);
    while (!existsSync(state)) await new Promise((r) => setTimeout(r, 20));
    const { pid } = JSON.parse(readFileSync(state, "utf8")) as { pid: number };
    abort.abort();
    await rejected;
    expect(JSON.parse(readFileSync(state, "utf8")).stoppedBy).toBe("SIGINT");
    expect(isAlive(pid)).toBe(false);
  });

  it("does not start cloudflared at all when already aborted", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(
      startQuickTunnel("http://127.0.0.1:4321", { binary: { path: "/nonexistent/cloudflared", from: "env" }, signal: abort.signal }),
    ).rejects.toBeInstanceOf(TunnelStartAborted);
  });
});
