import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveHandlerTarget, resolveTarget, resolveTargets } from "../../src/delivery/target.js";
import { readActiveSession, sessionsDir, writeSessionState } from "../../src/session/state-file.js";
import { tempConfigDir } from "../helpers/cli.js";

/** A config folder that does not exist: no listen session is running there. */
const NO_SESSION_ENV = { FANFARE_CONFIG_DIR: join(tmpdir(), `fanfare-no-session-${process.pid}`) };

/** A pid that is certainly not running (beyond Linux's pid_max). */
const DEAD_PID = 4_194_304 + 17;

describe("resolveTargets", () => {
  it("uses --forward-to, read by the one target parser (a bare number is a port here)", async () => {
    expect(await resolveTargets({ forwardTo: "localhost:3000/webhooks", env: NO_SESSION_ENV })).toEqual([
      { url: new URL("http://localhost:3000/webhooks"), source: "forward-to" },
    ]);
    expect((await resolveTargets({ forwardTo: "3000", env: NO_SESSION_ENV }))[0]!.url.href).toBe("http://localhost:3000/");
    await expect(resolveTargets({ forwardTo: "ftp://x", env: NO_SESSION_ENV })).rejects.toMatchObject({
      exitCode: 2,
      message: '--forward-to "ftp://x" is not an http(s) URL',
    });
  });

  it("without a target, is a usage error with a hint", async () => {
    await expect(resolveTargets({ env: NO_SESSION_ENV })).rejects.toMatchObject({
      exitCode: 2,
      code: "missing_target",
      message: "no `fanfare webhooks listen` is running here, and no --forward-to was given",
      hint: expect.stringContaining("--forward-to http://localhost:3000/webhooks"),
    });
  });

  it("returns every live session, oldest first, each with its secret; removes dead sessions' files", async () => {
    const config = tempConfigDir();
    try {
      const env = { FANFARE_CONFIG_DIR: config.dir };
      const session = (pid: number, port: number, startedAt: string) =>
        writeSessionState({ pid, receiverUrl: `http://127.0.0.1:${port}/webhooks`, secret: `whsec_${port}`, forwardUrl: "http://localhost:3000/", startedAt }, env);
      await session(process.pid, 4002, "2026-01-01T00:00:02.000Z");
      await session(process.ppid, 4001, "2026-01-01T00:00:01.000Z");
      await session(DEAD_PID, 4003, "2026-01-01T00:00:00.000Z");
      // Not a session file: ignored, left alone.
      writeFileSync(join(sessionsDir(env), "notes.txt"), "x");
      const targets = await resolveTargets({ env });
      expect(targets.map((t) => [t.url.href, t.sessionSecret, t.source])).toEqual([
        ["http://127.0.0.1:4001/webhooks", "whsec_4001", "listen"],
        ["http://127.0.0.1:4002/webhooks", "whsec_4002", "listen"],
      ]);
      expect(readdirSync(sessionsDir(env)).sort()).toEqual([`${process.pid}.json`, `${process.ppid}.json`, "notes.txt"].sort());
    } finally {
      config.cleanup();
    }
  });

  it("--wait: waits for a session to appear, and gives up after the time given", async () => {
    const config = tempConfigDir();
    try {
      const env = { FANFARE_CONFIG_DIR: config.dir };
      let waiting = 0;
      const found = resolveTargets({ env, waitMs: 10_000, pollMs: 20, onWaiting: () => waiting++ });
      // The session shows up a little later, as a listen started in the background does.
      setTimeout(() => {
        mkdirSync(sessionsDir(env), { recursive: true });
        void writeSessionState({ pid: process.pid, receiverUrl: "http://127.0.0.1:4010/webhooks", secret: "whsec_x", forwardUrl: "http://localhost:3000/", startedAt: "" }, env);
      }, 150);
      expect((await found).map((t) => t.url.href)).toEqual(["http://127.0.0.1:4010/webhooks"]);
      expect(waiting).toBe(1);

      const started = Date.now();
      await expect(resolveTargets({ env: NO_SESSION_ENV, waitMs: 300, pollMs: 20 })).rejects.toMatchObject({
        exitCode: 2,
        message: "no `fanfare webhooks listen` is running here after waiting 0 s, and no --forward-to was given",
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    } finally {
      config.cleanup();
    }
  });
});

describe("resolveTarget (one place: replay, the MCP tools)", () => {
  it("is --forward-to, or the most recently started running listen", async () => {
    const config = tempConfigDir();
    try {
      const env = { FANFARE_CONFIG_DIR: config.dir };
      await writeSessionState({ pid: process.pid, receiverUrl: "http://127.0.0.1:4002/webhooks", secret: "whsec_new", forwardUrl: "f", startedAt: "2026-01-01T00:00:02.000Z" }, env);
      await writeSessionState({ pid: process.ppid, receiverUrl: "http://127.0.0.1:4001/webhooks", secret: "whsec_old", forwardUrl: "f", startedAt: "2026-01-01T00:00:01.000Z" }, env);
      expect(await resolveTarget({ env })).toMatchObject({ url: new URL("http://127.0.0.1:4002/webhooks"), sessionSecret: "whsec_new" });
      expect((await readActiveSession(env))?.secret).toBe("whsec_new");
      expect((await resolveTarget({ env, forwardTo: "3000" })).url.href).toBe("http://localhost:3000/");
    } finally {
      config.cleanup();
    }
  });
});

describe("resolveHandlerTarget (check: the app itself)", () => {
  it("is the running listen's app; with several --forward it names them and asks for --forward-to (exit 2)", async () => {
    const config = tempConfigDir();
    try {
      const env = { FANFARE_CONFIG_DIR: config.dir };
      const session = { pid: process.pid, receiverUrl: "http://127.0.0.1:4002/webhooks", secret: "whsec_s", forwardUrl: "http://localhost:3101/d", startedAt: "" };
      await writeSessionState(session, env);
      expect(await resolveHandlerTarget({ env })).toMatchObject({ url: new URL("http://localhost:3101/d"), source: "listen", sessionSecret: "whsec_s" });

      const forwards = [
        { pattern: "draw.*", url: "http://localhost:3101/d" },
        { pattern: null, url: "http://localhost:3103/webhooks" },
      ];
      await writeSessionState({ ...session, forwards }, env);
      await expect(resolveHandlerTarget({ env })).rejects.toMatchObject({
        exitCode: 2,
        code: "ambiguous_target",
        message: "the running listen forwards to 2 apps (draw.*=http://localhost:3101/d, http://localhost:3103/webhooks); check tests one handler",
        hint: "name it: --forward-to http://localhost:3101/d (add --events to match what listen sends it)",
      });
      expect((await resolveHandlerTarget({ env, forwardTo: "3103/webhooks" })).url.href).toBe("http://localhost:3103/webhooks");

      // One app behind a pattern: that app, with the pattern (check sends it those events only).
      await writeSessionState({ ...session, forwards: [forwards[0]!] }, env);
      expect(await resolveHandlerTarget({ env })).toMatchObject({ url: new URL("http://localhost:3101/d"), pattern: "draw.*" });
    } finally {
      config.cleanup();
    }
  });
});
