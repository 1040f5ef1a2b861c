import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { rowLayout, rowSegments } from "../../src/listen/view/delivery-row-line.js";
import { deliveryDetailLines } from "../../src/listen/view/delivery-detail-lines.js";
import { cleanEnv, emulatorEnv, runCli, startCli } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { send } from "../listen/servers.js";
import { completed, makeRecord } from "../listen/view/fixtures.js";

/**
 * What comes from outside (a delivery sent by anyone who knows the tunnel URL, the admin API's data,
 * an argument) never reaches the terminal as a control sequence: ESC, BEL, CR and the one-character
 * CSI U+009B are shown as visible escapes wherever they are printed.
 */
const DANGEROUS = /[\u001b\u0007\u009b\r]/;
const FORGED_TYPE = "order.created\u001b]0;PWNED\u0007\r\nFAKE <-- [200] forged\u009b2J";
const FORGED_ID = "x\u001b[2J";

const scope = testScope();

/** What a command wrote, with the colour codes it writes itself (none here: no TTY) ruled out. */
function expectNoControl(text: string): void {
  expect(text).not.toMatch(DANGEROUS);
}

describe("listen prints what anyone sends it escaped", () => {
  for (const json of [false, true]) {
    it(`in lines${json ? " (--json)" : ""}, for a forged, unsigned delivery`, async () => {
      const app = await scope.target();
      const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
      const cli = await scope.listen(["--forward", app.url, "--no-tui", ...(json ? ["--json"] : [])], env);
      const receiverUrl = json
        ? (JSON.parse(cli.stderr().split("\n")[0]!) as { listening: { receiverUrl: string } }).listening.receiverUrl
        : cli.stderr().match(/receiver\s+(http:\S+)/)![1]!;
      const body = JSON.stringify({ id: FORGED_ID, type: FORGED_TYPE });
      const reply = await send(receiverUrl, { headers: { "content-type": "application/json" }, body });
      expect(reply.status).toBe(200);
      // The app still gets the bytes as they were sent: escaping is for the terminal only.
      expect(app.received[0]!.body.toString()).toBe(body);
      await cli.waitFor(json ? /"statusCode":200/ : /<-- \[200\]/);
      expectNoControl(cli.stdout());
      expect(cli.stdout()).toContain(json ? "\\u009b2J" : "order.created\\x1b]0;PWNED\\x07\\r\\nFAKE");
      if (json) expect(JSON.parse(cli.stdout().trim().split("\n").at(-1)!).eventType).toBe(FORGED_TYPE);
    });
  }

  it("in the live view's rows and details pane", () => {
    const record = completed(
      makeRecord(1, {
        id: FORGED_ID,
        eventType: FORGED_TYPE,
        request: {
          method: "POST",
          path: "/webhooks",
          headers: { "x-forged": "a\u001b[31mred\u009b" },
          body: Buffer.from(`{"note":"\u009b\u007f","raw":"x"}\r\n\u001b[2J`),
        },
      }),
    );
    expectNoControl(rowSegments(record, true, rowLayout(120)).map((s) => s.text).join(""));
    const details = deliveryDetailLines(record).map((l) => l.text).join("\n");
    expectNoControl(details);
    expect(details).toContain("x-forged: a\\x1b[31mred\\x9b");
  });
});

describe("admin data and echoed arguments are escaped too", () => {
  it("an endpoint's description and URL in list, get and --json", async () => {
    const config = scope.configDir();
    const emulator = startCli(["webhooks", "emulator", "--port", "0", "--json"], { env: cleanEnv({ FANFARE_CONFIG_DIR: config }) });
    scope.defer(() => emulator.stop());
    const env = await emulatorEnv(emulator, config);
    const created = await runCli(
      ["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/x", "--events", "order.created", "--description", `evil\u001b[2J\u009b\r`, "--json"],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    for (const args of [["list"], ["get", id], ["list", "--json"]]) {
      const r = await runCli(["webhooks", "endpoints", ...args], { env });
      expect(r.code, r.stderr).toBe(0);
      expectNoControl(r.stdout + r.stderr);
    }
    const long = await runCli(["webhooks", "endpoints", "create", "--url", `http://127.0.0.1:9/${"a".repeat(2000)}`, "--events", "order.created"], {
      env,
    });
    expect(long.code, long.stderr).toBe(0);
    const listed = await runCli(["webhooks", "endpoints", "list"], { env });
    expect(listed.stdout).toContain("evil\\x1b[2J\\x9b\\r");
    // A long URL is cut in the table, not padded across every row.
    for (const line of listed.stdout.split("\n")) expect(line.length).toBeLessThan(400);
  });

  it("an argument echoed in an error", async () => {
    const r = await runCli(["webhooks", "verify", "--secret", "whsec_x12345678", "--payload", "-", "--signature", "x", "--timestamp", "1\u001b[2J"], {
      input: "{}",
    });
    expect(r.code).toBe(2);
    expectNoControl(r.stderr);
    expect(r.stderr).toContain("1\\x1b[2J");
    const tolerance = await runCli(["webhooks", "verify", "--secret", "whsec_x12345678", "--payload", "-", "--signature", "x", "--tolerance", "3\u0007\r"], {
      input: "{}",
    });
    expect(tolerance.code).toBe(2);
    expectNoControl(tolerance.stderr);
    const json = await runCli(["--json", "webhooks", "trigger", `order\u009b2J`, "--forward-to", "1"], {
      env: cleanEnv({ FANFARE_WEBHOOK_SECRET: "whsec_x12345678" }),
    });
    expect(json.code).toBe(2);
    expectNoControl(json.stderr);
    expect(JSON.parse(json.stderr).error.message).toContain("order\u009b2J");
    // Output escapes an error once, at print time: a message escaped before it would read \x1b in JSON.
    for (const asJson of [false, true]) {
      const types = await runCli([...(asJson ? ["--json"] : []), "webhooks", "types", "--format", "ts\u001b[2J"]);
      expect(types.code).toBe(2);
      expectNoControl(types.stderr);
      if (asJson) expect(JSON.parse(types.stderr).error.message).toBe('unknown format "ts\u001b[2J"');
      else expect(types.stderr).toContain('error: unknown format "ts\\x1b[2J"');
    }
  });
});

describe("trigger's delivery lines", () => {
  it("escape an id pinned with --set, in lines and in --json (undici refuses it as a header: exit 1)", async () => {
    const app = await scope.target((_req, res) => res.writeHead(200).end());
    const args = ["webhooks", "trigger", "order.created", "--forward-to", app.url, "--secret", "whsec_x12345678", "--set", "id=whk_\u001b]0;x\u0007\u009b2J"];
    const lines = await runCli(args);
    expect(lines.code, lines.stderr).toBe(1);
    expect(lines.stdout).toContain("[whk_\\x1b]0;x\\x07\\x9b2J]");
    expectNoControl(lines.stdout);
    const json = await runCli(["--json", ...args]);
    expect(json.code, json.stderr).toBe(1);
    expectNoControl(json.stdout);
    expect(JSON.parse(json.stdout.split("\n")[0]!).id).toBe("whk_\u001b]0;x\u0007\u009b2J");
  });
});

describe("--verbose, which shows what the other side said", () => {
  it("escapes a receiver's answer in trigger's log", async () => {
    const app = await scope.target((_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("boom\u001b[2J\u009b\r");
    });
    const r = await runCli(["--verbose", "webhooks", "trigger", "order.created", "--forward-to", app.url, "--secret", "whsec_x12345678"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("boom\\x1b[2J\\x9b\\r");
    expectNoControl(r.stderr);
  });
});

describe("what listen already withstood, kept as regression tests", () => {
  async function localListen(respond?: Parameters<typeof scope.target>[0]) {
    const app = await scope.target(respond);
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const cli = await scope.listen(["--forward", app.url, "--no-tui"], env);
    const receiverUrl = cli.stderr().match(/receiver\s+(http:\S+)/)![1]!;
    return { app, receiverUrl };
  }

  /** Raw bytes to the receiver's port; resolves with what came back before the socket closed. */
  function raw(url: string, bytes: string, holdOpenMs = 0): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => socket.write(bytes));
      let answer = "";
      socket.setEncoding("utf8").on("data", (d: string) => (answer += d));
      socket.on("close", () => resolve(answer));
      socket.on("error", () => {});
      if (holdOpenMs > 0) setTimeout(() => socket.destroy(), holdOpenMs);
    });
  }

  it("malformed HTTP is refused (400) and listen carries on", async () => {
    const { app, receiverUrl } = await localListen();
    const answer = await raw(receiverUrl, "BLAH /webhooks HTTP/9.9\r\nno colon here\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await send(receiverUrl, { body: "{}" })).status).toBe(200);
    expect(app.received).toHaveLength(1);
  });

  it("a request that is both Content-Length and chunked (smuggling) is refused", async () => {
    const { app, receiverUrl } = await localListen();
    const smuggled =
      "POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n";
    expect(await raw(receiverUrl, smuggled)).toMatch(/^HTTP\/1\.1 400/);
    expect(app.received).toHaveLength(0);
  });

  it("a sender that never finishes its headers does not hold up valid deliveries", async () => {
    const { app, receiverUrl } = await localListen();
    const stalled = Array.from({ length: 20 }, () => raw(receiverUrl, "POST /webhooks HTTP/1.1\r\nHost: x\r\nX-Slow: ", 1_000));
    for (let i = 0; i < 5; i++) expect((await send(receiverUrl, { body: `{"n":${i}}` })).status).toBe(200);
    expect(app.received).toHaveLength(5);
    await Promise.all(stalled);
  });

  it("a redirect from the app is answered, not followed", async () => {
    const { app, receiverUrl } = await localListen((_req, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" });
      res.end();
    });
    const reply = await send(receiverUrl, { body: "{}" });
    expect(reply.status).toBe(302);
    expect(app.received).toHaveLength(1);
  });
});
