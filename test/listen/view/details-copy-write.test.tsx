import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deliveryFileBytes, deliveryFileName, writeDeliveryFile } from "../../../src/listen/delivery-file.js";
import { osc52 } from "../../../src/listen/view/clipboard.js";
import { ColorContext } from "../../../src/listen/view/color-context.js";
import { wrapDetailLines } from "../../../src/listen/view/delivery-detail-lines.js";
import { ListenScreen, type ListenScreenProps } from "../../../src/listen/view/listen-screen.js";
import { stripAnsi } from "../../../src/terminal/style.js";
import { completed, FakeSource, makeRecord } from "./fixtures.js";

// The details pane as issue 8 asks: long values wrap (nothing cut with …), `c` copies the body
// over OSC 52, `w` writes the delivery to a file and says its name.

const WAIT = { timeout: 10_000, interval: 5 };
const TOKEN = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9." + "A".repeat(150) + ".Zm9vYmFyYmF6cXV4";

function mount(props: Partial<ListenScreenProps> = {}) {
  const source = new FakeSource();
  const instance = render(
    <ColorContext.Provider value={false}>
      <ListenScreen source={source} rows={30} columns={80} flushIntervalMs={5} {...props} />
    </ColorContext.Provider>,
  );
  return Object.assign(instance, { source });
}
type Mounted = ReturnType<typeof mount>;

const frameOf = (view: Mounted) => stripAnsi(view.lastFrame() ?? "");
const waitForFrame = (view: Mounted, expected: string | ((frame: string) => void)) =>
  vi.waitFor(() => {
    const frame = frameOf(view);
    if (typeof expected === "string") expect(frame).toContain(expected);
    else expected(frame);
    return frame;
  }, WAIT);

async function press(view: Mounted, ...keys: string[]) {
  for (const key of keys) {
    view.stdin.write(key);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function withOneDelivery(props: Partial<ListenScreenProps> = {}) {
  const view = mount(props);
  await waitForFrame(view, "fanfare listen");
  await vi.waitFor(() => expect(view.stdin.listenerCount("readable")).toBeGreaterThan(0), WAIT);
  const body = Buffer.from(JSON.stringify({ id: "whk_000001", type: "queue.consumer.admitted", data: { admissionToken: TOKEN } }));
  const signature = "t=1795434517,v1=" + "12dde27fb5d433b267242ef4ed55f19ac0e5e7c57111abb7f0867386d68feeeb";
  const record = completed(
    makeRecord(1, {
      request: { method: "POST", path: "/webhooks", headers: { "content-type": "application/json", "x-fanfare-signature": signature }, body },
    }),
  );
  view.source.emit(record);
  await waitForFrame(view, "received 1 ");
  return { view, record, body, signature };
}

afterEach(() => cleanup());

describe("details pane", () => {
  it("wraps long values to the width: the whole token and signature can be read, nothing is cut", async () => {
    const { view, signature } = await withOneDelivery();
    await press(view, "d");
    const frame = await waitForFrame(view, "details  lines 1–");
    for (const line of frame.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(frame).not.toContain("…\n");
    // Joined back without the wrap's indent, the pane holds the full values.
    const joined = frame.replace(/\n +/g, "");
    expect(joined).toContain(TOKEN);
    expect(joined).toContain(`x-fanfare-signature: ${signature}`);
  });

  it("c copies the request body (OSC 52 on the terminal by default) and says so", async () => {
    const { view, body } = await withOneDelivery();
    await press(view, "d", "c");
    await waitForFrame(view, `copied the body of whk_000001 (${body.length} B) to the clipboard`);
    expect(view.stdout.frames.join("")).toContain(osc52(body.toString("utf8")));
    // In the list too, for the selected delivery.
    const copied: string[] = [];
    const other = await withOneDelivery({ copyText: (text) => copied.push(text) });
    await press(other.view, "c");
    await waitForFrame(other.view, "copied the body of whk_000001");
    expect(copied).toEqual([other.body.toString("utf8")]);
  });

  it("w writes the delivery (headers and raw body) to a file and shows its name; a failure says why", async () => {
    const saved: string[] = [];
    const { view } = await withOneDelivery({
      saveDelivery: async (record) => {
        saved.push(record.id);
        return "delivery-whk_000001.http";
      },
    });
    await press(view, "d", "w");
    await waitForFrame(view, "wrote delivery-whk_000001.http (headers and raw body)");
    expect(saved).toEqual(["whk_000001"]);

    const failing = await withOneDelivery({ saveDelivery: () => Promise.reject(new Error("EACCES: permission denied")) });
    await press(failing.view, "w");
    await waitForFrame(failing.view, "could not write whk_000001: EACCES: permission denied");
  });
});

describe("osc52", () => {
  it("is OSC 52 for the clipboard with the text in base64", () => {
    expect(osc52("héllo")).toBe(`\u001b]52;c;${Buffer.from("héllo").toString("base64")}\u0007`);
  });
});

describe("wrapDetailLines", () => {
  it("folds long lines, continuing under the line's indent plus two, and keeps the tone", () => {
    const lines = wrapDetailLines([{ text: "  key: " + "x".repeat(30), tone: "dim" }, { text: "short" }], 20);
    expect(lines).toEqual([
      { text: "  key: xxxxxxxxxxxxx", tone: "dim" },
      { text: "    xxxxxxxxxxxxxxxx", tone: "dim" },
      { text: "    x", tone: "dim" },
      { text: "short" },
    ]);
  });
});

describe("writeDeliveryFile", () => {
  it("writes the request line, headers and raw body under a safe name, never over an existing file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fanfare-w-"));
    try {
      const body = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
      const record = makeRecord(7, { id: "../../etc/whk_\u001b[2Jx", request: { method: "POST", path: "/webhooks", headers: { "x-a": "1" }, body } });
      expect(deliveryFileName(record)).toBe("delivery-etcwhk_2Jx.http");
      const first = await writeDeliveryFile(record, dir);
      const second = await writeDeliveryFile(record, dir);
      expect([first, second]).toEqual([join(dir, "delivery-etcwhk_2Jx.http"), join(dir, "delivery-etcwhk_2Jx-2.http")]);
      expect(readFileSync(first)).toEqual(Buffer.concat([Buffer.from("POST /webhooks HTTP/1.1\r\nx-a: 1\r\n\r\n"), body]));
      expect(deliveryFileBytes(record)).toEqual(readFileSync(second));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
