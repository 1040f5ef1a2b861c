import { cleanup, render } from "ink-testing-library";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiClient, type ApiClient } from "../../src/api/client.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { ColorContext } from "../../src/listen/view/color-context.js";
import { ListenScreen } from "../../src/listen/view/listen-screen.js";
import { DeliveryLogTracker } from "../../src/tail/log-tracker.js";
import { createLogViewFeed } from "../../src/tail/log-view-source.js";
import { pollDeliveryLog } from "../../src/tail/poller.js";
import { stripAnsi } from "../../src/terminal/style.js";
import { startReceiver, type Receiver } from "../emulator/helpers.js";

/**
 * `deliveries tail`'s live view: listen's ListenScreen fed by the delivery-log source, which polls the
 * real emulator (--time-scale 600) and redelivers through the real client.
 */

const KEY = "sk_test_tailView0123456789ABCDEF";
const WAIT = { timeout: 15_000, interval: 10 };
let emulator: RunningEmulator;
let api: ApiClient;
const receivers: Receiver[] = [];
const stops: AbortController[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, timeScale: 600, apiKeys: [KEY] });
  api = createApiClient({ baseUrl: emulator.url, apiKey: KEY, maxRetries: 0 });
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop.abort();
  cleanup();
});
afterAll(async () => {
  await api?.close();
  await emulator?.close();
  await Promise.all(receivers.map((r) => r.close()));
});

async function endpoint(answer: Receiver["answer"]): Promise<{ id: string; receiver: Receiver }> {
  const receiver = await startReceiver(answer);
  receivers.push(receiver);
  const { id } = await api.createEndpoint({ url: receiver.url, events: ["order.created", "draw.consumer.won"] });
  return { id, receiver };
}

/** Mounts the view on a poller of these endpoints; resolves once the first poll is shown. */
async function mount(endpoints: string[]) {
  const feed = createLogViewFeed({
    info: { mode: "tail", endpoints, all: false, apiBase: emulator.url, intervalMs: 100, status: null, events: null },
    filter: { event: () => true },
    redeliver: (endpointId, deliveryId) => api.redeliver(endpointId, deliveryId),
  });
  const stop = new AbortController();
  stops.push(stop);
  void pollDeliveryLog({
    client: api,
    tracker: new DeliveryLogTracker(Date.now()),
    endpoints,
    all: false,
    intervalMs: 100,
    signal: stop.signal,
    onChanges: (id, changes) => feed.push(id, changes.changed),
    onStatus: (status) => feed.setPolling(status),
    onNotice: (text) => feed.notice(text),
  });
  const view = render(
    <ColorContext.Provider value={false}>
      <ListenScreen source={feed.source} rows={24} columns={140} flushIntervalMs={5} />
    </ColorContext.Provider>,
  );
  await vi.waitFor(() => expect(frame()).toMatch(/polling every 100 ms, last \d\d:\d\d:\d\d/), WAIT);
  await vi.waitFor(() => expect(view.stdin.listenerCount("readable")).toBeGreaterThan(0), WAIT);
  function frame(): string {
    return stripAnsi(view.lastFrame() ?? "");
  }
  const waitForFrame = (check: (frame: string) => void) =>
    vi.waitFor(() => {
      const f = frame();
      check(f);
      return f;
    }, WAIT);
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      view.stdin.write(key);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { view, frame, waitForFrame, press };
}

const rowOf = (frame: string, deliveryId: string) =>
  frame.split("\n").find((line) => line.includes(deliveryId.slice(-4)) && /\d\d:\d\d:\d\d {2}we_/.test(line.slice(2)));

describe("deliveries tail's live view", () => {
  it("shows a new delivery's row; r redelivers the selected one and shows the new attempt", async () => {
    // 400 is final: the delivery is failed until someone redelivers it (the receiver is fixed by then).
    const { id, receiver } = await endpoint((n) => ({ status: n === 0 ? 400 : 200 }));
    const { waitForFrame, press, frame: current } = await mount([id]);
    const sent = await api.sendTest(id, "order.created");
    let frame = await waitForFrame((f) => expect(rowOf(f, sent.id)).toMatch(/ 1 400 failed/));
    expect(frame).toMatch(/ENDPOINT .*EVENT .*DELIVERY .*TRY STS STATUS +NEXT/);
    expect(frame).toContain("deliveries 1  succeeded 0  retrying 0  failed 1");
    expect(frame).toContain("r redeliver  f failed only");

    await press("r");
    frame = await waitForFrame((f) => {
      expect(f).toMatch(new RegExp(`redelivered ${sent.id} attempt 2: 200 succeeded`));
      expect(rowOf(f, sent.id)).toMatch(/ 2 200 succeeded/);
    });
    // A poll that crossed the redelivery (it saw the delivery pending) must not put the row back.
    await new Promise((r) => setTimeout(r, 400));
    expect(rowOf(current(), sent.id)).toMatch(/ 2 200 succeeded/);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body.toString()).toBe(receiver.received[0]!.body.toString());
  });

  it("details list every attempt with its answer and time, and the next retry", async () => {
    const { id } = await endpoint((n) => (n === 0 ? { status: 503 } : { status: 200 }));
    const { waitForFrame, press } = await mount([id]);
    const sent = await api.sendTest(id, "draw.consumer.won");
    await waitForFrame((f) => expect(rowOf(f, sent.id)).toMatch(/ 2 200 succeeded/));
    await press("\r");
    const frame = await waitForFrame((f) => expect(f).toContain("Attempts"));
    expect(frame).toContain(`draw.consumer.won  ${sent.id}  (endpoint ${id}, 2 attempts)`);
    expect(frame).toMatch(/#1 {2}\d\d:\d\d:\d\d {2}503 {2}/);
    expect(frame).toMatch(/#2 {2}\d\d:\d\d:\d\d {2}200 {2}/);
    expect(frame).toContain("status succeeded");
  });

  it("f lists failed deliveries only, and again all", async () => {
    const good = await endpoint(() => ({ status: 200 }));
    const bad = await endpoint(() => ({ status: 410 }));
    const { waitForFrame, press } = await mount([good.id, bad.id]);
    const ok = await api.sendTest(good.id, "order.created");
    const failed = await api.sendTest(bad.id, "order.created");
    // A poll may catch a delivery before its first attempt ends (pending): wait for both outcomes.
    await waitForFrame((f) => {
      expect(rowOf(f, ok.id)).toMatch(/200 succeeded/);
      expect(rowOf(f, failed.id)).toMatch(/410 failed/);
    });
    await press("f");
    let frame = await waitForFrame((f) => expect(f).toMatch(/p50 .*  failed only/));
    expect(rowOf(frame, failed.id)).toMatch(/410 failed/);
    expect(rowOf(frame, ok.id)).toBeUndefined();
    await press("f");
    frame = await waitForFrame((f) => expect(f).not.toMatch(/p50 .*  failed only/));
    expect(rowOf(frame, ok.id)).toBeDefined();
  });

  it("says on the status line when a tailed endpoint is deleted", async () => {
    const kept = await endpoint(() => ({ status: 200 }));
    const gone = await endpoint(() => ({ status: 200 }));
    const { waitForFrame } = await mount([kept.id, gone.id]);
    await api.deleteEndpoint(gone.id);
    await waitForFrame((f) => expect(f).toContain(`endpoint ${gone.id} was deleted; no longer tailed`));
  });
});
