import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { apiFor, freePort, pause, sequence, startReceiver, waitUntil, type Api, type Receiver } from "./helpers.js";
import { signedWith } from "../helpers/signatures.js";

const KEY = "sk_test_engineKey0123456789";
let emulator: RunningEmulator;
let api: Api;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // 100 000× faster: 1 min → 0.6 ms, 8 h → 288 ms; the whole schedule in about 0.4 s. The attempt
  // timeout stays generous: at 300 ms the first delivery on a loaded machine timed out instead of
  // getting its 500. The timeout test has an emulator of its own with a short one.
  emulator = await startEmulator({ port: 0, apiKeys: [KEY], timeScale: 100_000, deliveryTimeoutMs: 10_000 });
  api = apiFor(emulator.url, KEY);
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(answer: Receiver["answer"]): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

async function endpointFor(r: { url: string }, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const created = await api("POST", "/webhooks", { url: r.url, events: ["draw.consumer.won"], ...extra });
  expect(created.status).toBe(201);
  return created.body;
}

const delivery = async (endpointId: string, id: string) => (await api("GET", `/webhooks/${endpointId}/deliveries/${id}`)).body;
const settled = (endpointId: string, id: string) =>
  waitUntil(async () => {
    const d = await delivery(endpointId, id);
    return ["succeeded", "failed", "permanently_failed"].includes(d.status) ? d : undefined;
  });
const sendTest = async (endpointId: string, eventType = "draw.consumer.won") => {
  const r = await api("POST", `/webhooks/${endpointId}/test`, { eventType });
  expect(r.status).toBe(201);
  return r.body;
};

describe("the retry schedule (compressed by timeScale)", () => {
  it("500 then 200 → 2 attempts, succeeded", async () => {
    const r = await receiver(sequence(500, 200));
    const ep = await endpointFor(r);
    const first = await sendTest(ep.id);
    expect(first).toMatchObject({ status: "retrying", attempt: 1, response: { statusCode: 500 } });
    const done = await settled(ep.id, first.id);
    expect(done).toMatchObject({ status: "succeeded", attempt: 2, nextAttemptAt: null });
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 200]);
    expect(r.received).toHaveLength(2);
    // Each attempt is signed afresh, and the body never changes.
    expect(r.received[1]!.body.equals(r.received[0]!.body)).toBe(true);
    expect(r.received.every((x) => signedWith(ep.secret, x))).toBe(true);
  });

  it("400 → 1 attempt, final (failed), never retried", async () => {
    const r = await receiver(sequence(400, 200));
    const ep = await endpointFor(r);
    const first = await sendTest(ep.id);
    expect(first).toMatchObject({ status: "failed", attempt: 1, nextAttemptAt: null, response: { statusCode: 400 } });
    // A wait, not a poll: it gives a wrongly scheduled retry (the whole schedule is ~0.4 s) time to arrive.
    await pause(400);
    expect(r.received).toHaveLength(1);
    expect((await delivery(ep.id, first.id)).attempts).toHaveLength(1);
  });

  it("408 and 429 are retried like 5xx", async () => {
    const r = await receiver(sequence(408, 429, 204));
    const ep = await endpointFor(r);
    const done = await settled(ep.id, (await sendTest(ep.id)).id);
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([408, 429, 204]);
  });

  it("6 × 503 → permanently_failed after exactly 6 attempts, spaced by the scaled schedule", async () => {
    const r = await receiver(sequence(503));
    const ep = await endpointFor(r);
    const done = await settled(ep.id, (await sendTest(ep.id)).id);
    expect(done).toMatchObject({ status: "permanently_failed", attempt: 6, nextAttemptAt: null });
    // A wait, not a poll: a seventh attempt would come within the longest gap (288 ms).
    await pause(300);
    expect(r.received).toHaveLength(6);
    // The last wait (8 h ÷ 100 000 = 288 ms) is the longest; the order of the gaps follows the schedule.
    const gaps = r.received.slice(1).map((x, i) => x.at - r.received[i]!.at);
    expect(gaps[4]!).toBeGreaterThanOrEqual(250);
    const health = (await api("GET", `/webhooks/${ep.id}/health`)).body;
    expect(health).toMatchObject({ healthy: false, successRate: 0 });
  });

  it("a receiver that never answers times out (deliveryTimeoutMs) and is retried", async () => {
    const r = await receiver((n) => (n === 0 ? "hang" : { status: 200 }));
    // Short enough to keep the test quick, long enough that the answered retry never runs out of time.
    const short = await startEmulator({ port: 0, apiKeys: [KEY], timeScale: 100_000, deliveryTimeoutMs: 1000 });
    try {
      const shortApi = apiFor(short.url, KEY);
      const ep = (await shortApi("POST", "/webhooks", { url: r.url, events: ["draw.consumer.won"] })).body;
      const first = (await shortApi("POST", `/webhooks/${ep.id}/test`, { eventType: "draw.consumer.won" })).body;
      const done = await waitUntil(async () => {
        const d = (await shortApi("GET", `/webhooks/${ep.id}/deliveries/${first.id}`)).body;
        return ["succeeded", "failed", "permanently_failed"].includes(d.status) ? d : undefined;
      });
      expect(done.attempts.map((a: { error: string | null }) => a.error)).toEqual(["timed out after 1 s", null]);
      expect(done.status).toBe("succeeded");
    } finally {
      await short.close();
    }
  });

  it("nothing listening → connection refused, retried to the end", async () => {
    const port = await freePort();
    const ep = await endpointFor({ url: `http://127.0.0.1:${port}/hooks` });
    const done = await settled(ep.id, (await sendTest(ep.id)).id);
    expect(done.status).toBe("permanently_failed");
    expect(done.attempts.every((a: { error: string }) => a.error === "connection refused")).toBe(true);
  });
});

describe("redeliver", () => {
  it("sends the byte-identical body with the same id, signed afresh, as a new attempt", async () => {
    const r = await receiver(sequence(200));
    const ep = await endpointFor(r);
    const first = await sendTest(ep.id);
    const again = await api("POST", `/webhooks/${ep.id}/deliveries/${first.id}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.id, status: "succeeded", attempt: 2 });
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.body.equals(r.received[0]!.body)).toBe(true);
    expect(r.received[1]!.body.toString()).toBe(first.request.body);
    expect(r.received[1]!.headers["x-fanfare-delivery-id"]).toBe(first.id);
    expect(signedWith(ep.secret, r.received[1]!)).toBe(true);
  });

  it("a permanently failed delivery gets a fresh run of the schedule", async () => {
    let up = false;
    const r = await receiver(() => ({ status: up ? 200 : 503 }));
    const ep = await endpointFor(r);
    const first = await settled(ep.id, (await sendTest(ep.id)).id);
    expect(first.status).toBe("permanently_failed");
    up = true;
    const again = await api("POST", `/webhooks/${ep.id}/deliveries/${first.id}/redeliver`);
    expect(again.body).toMatchObject({ status: "succeeded", attempt: 7 });
  });
});

describe("pause, resume, rotate", () => {
  it("a paused endpoint gets nothing: pending retries wait, and resume sends them", async () => {
    // The 503 is held until the endpoint is paused, so the retry is due after the pause whatever
    // the load; the slower clock (1 min → 60 ms) still puts it well inside the wait below.
    let paused!: () => void;
    const pausing = new Promise<void>((res) => (paused = res));
    const r = await receiver((n) => (n === 0 ? { status: 503, heldUntil: pausing } : { status: 200 }));
    const slow = await startEmulator({ port: 0, apiKeys: [KEY], timeScale: 1000 });
    try {
      const slowApi = apiFor(slow.url, KEY);
      const ep = (await slowApi("POST", "/webhooks", { url: r.url, events: ["order.created"] })).body;
      const tested = slowApi("POST", `/webhooks/${ep.id}/test`, { eventType: "order.created" });
      await waitUntil(() => r.received.length === 1);
      await slowApi("PATCH", `/webhooks/${ep.id}`, { enabled: false });
      paused();
      const first = (await tested).body;
      expect(first.status).toBe("retrying");
      // A wait, not a poll: proves the retry (due 60 ms after the first attempt) is held back.
      await pause(300);
      expect(r.received).toHaveLength(1);
      expect((await slowApi("POST", `/webhooks/${ep.id}/test`, { eventType: "order.created" })).status).toBe(409);
      expect((await slowApi("POST", `/webhooks/${ep.id}/deliveries/${first.id}/redeliver`)).status).toBe(409);
      expect(r.received).toHaveLength(1);
      await slowApi("PATCH", `/webhooks/${ep.id}`, { enabled: true });
      await waitUntil(() => r.received.length === 2);
      const done = await waitUntil(async () => {
        const d = (await slowApi("GET", `/webhooks/${ep.id}/deliveries/${first.id}`)).body;
        return d.status === "succeeded" ? d : undefined;
      });
      expect(done.attempt).toBe(2);
    } finally {
      await slow.close();
    }
  });

  it("rotating the secret takes effect at once: the old secret no longer verifies", async () => {
    const r = await receiver(sequence(200));
    const ep = await endpointFor(r);
    await sendTest(ep.id);
    expect(signedWith(ep.secret, r.received[0]!)).toBe(true);
    const { secret } = (await api("POST", `/webhooks/${ep.id}/rotate-secret`)).body;
    await sendTest(ep.id);
    expect(signedWith(ep.secret, r.received[1]!)).toBe(false);
    expect(signedWith(secret, r.received[1]!)).toBe(true);
  });

  it("retries after a rotation are signed with the new secret", async () => {
    // The 503 is held until the rotation is done, so the retry is due after it whatever the load
    // (answered at once, the retry 60 ms later could beat a slow rotate-secret request).
    let rotated!: () => void;
    const rotation = new Promise<void>((res) => (rotated = res));
    const r = await receiver((n) => (n === 0 ? { status: 503, heldUntil: rotation } : { status: 200 }));
    const slow = await startEmulator({ port: 0, apiKeys: [KEY], timeScale: 1000 });
    try {
      const slowApi = apiFor(slow.url, KEY);
      const ep = (await slowApi("POST", "/webhooks", { url: r.url, events: ["order.created"] })).body;
      const tested = slowApi("POST", `/webhooks/${ep.id}/test`, { eventType: "order.created" });
      await waitUntil(() => r.received.length === 1);
      const { secret } = (await slowApi("POST", `/webhooks/${ep.id}/rotate-secret`)).body;
      rotated();
      expect((await tested).status).toBe(201);
      await waitUntil(() => r.received.length === 2);
      expect(signedWith(ep.secret, r.received[0]!)).toBe(true);
      expect(signedWith(ep.secret, r.received[1]!)).toBe(false);
      expect(signedWith(secret, r.received[1]!)).toBe(true);
    } finally {
      await slow.close();
    }
  });
});

describe("the delivery log", () => {
  it("keeps the last 100 per endpoint, newest first; status and limit filter", async () => {
    const r = await receiver(sequence(200));
    const ep = await endpointFor(r);
    const ids: string[] = [];
    for (let i = 0; i < 103; i++) ids.push((await sendTest(ep.id)).id);
    const list = (await api("GET", `/webhooks/${ep.id}/deliveries`)).body.data;
    expect(list).toHaveLength(100);
    expect(list.map((d: { id: string }) => d.id)).toEqual(ids.slice(3).reverse());
    expect((await api("GET", `/webhooks/${ep.id}/deliveries/${ids[0]}`)).status).toBe(404);
    expect((await api("GET", `/webhooks/${ep.id}/deliveries?limit=2&status=succeeded`)).body.data.map((d: { id: string }) => d.id)).toEqual(
      [ids[102], ids[101]],
    );
    expect((await api("GET", `/webhooks/${ep.id}/deliveries?status=failed`)).body.data).toEqual([]);
  });

  it("keeps the receiver's answer truncated to 4 KB, and says so", async () => {
    const big = await receiver(() => ({ status: 200, body: "x".repeat(10_000) }));
    const ep = await endpointFor(big);
    const d = await sendTest(ep.id);
    expect(d.status).toBe("succeeded");
    expect(d.response.body).toBe("x".repeat(4096));
    expect(d.response.truncated).toBe(true);
    expect(d.attempts[0].responseBody).toBe("x".repeat(4096));
    expect(d.attempts[0].responseTruncated).toBe(true);
    expect(d.response.headers["content-type"]).toBe("application/json");
  });

  it("a short answer is kept whole, without the flag", async () => {
    const ep = await endpointFor(await receiver(sequence(200)));
    const d = await sendTest(ep.id);
    expect(d.response.truncated).toBeUndefined();
    expect(d.attempts[0].responseTruncated).toBeUndefined();
  });

  it("a test event larger than 256 KB is refused with 413 and a clear message; one just under goes out", async () => {
    const r = await receiver(sequence(200));
    const ep = await endpointFor(r);
    const refused = await api("POST", `/webhooks/${ep.id}/test`, { eventType: "draw.consumer.won", data: { note: "x".repeat(262_144) } });
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatchObject({ code: "payload_too_large" });
    expect(refused.body.error.message).toMatch(/^the test event would be \d+ bytes; the emulator sends and keeps at most 262144 bytes \(256 KB\) per delivery/);
    expect((await api("GET", `/webhooks/${ep.id}/deliveries`)).body.data).toEqual([]);
    expect(r.received).toHaveLength(0);

    const fits = await api("POST", `/webhooks/${ep.id}/test`, { eventType: "draw.consumer.won", data: { note: "x".repeat(250_000) } });
    expect(fits.status).toBe(201);
    expect(fits.body.status).toBe("succeeded");
    expect(r.received[0]!.body.length).toBeGreaterThan(250_000);
  });
});

describe("parallel deliveries", () => {
  it("at most 8 attempts at once to one endpoint, while another endpoint's go straight through", async () => {
    const e = await startEmulator({ port: 0, apiKeys: [KEY], timeScale: 100_000, replyWaitMs: 5_000 });
    try {
      const call = apiFor(e.url, KEY);
      const slow = await receiver(() => ({ status: 200, delayMs: 1_000 }));
      const fast = await receiver(sequence(200));
      const slowEp = (await call("POST", "/webhooks", { url: slow.url, events: ["order.created"] })).body;
      const fastEp = (await call("POST", "/webhooks", { url: fast.url, events: ["order.created"] })).body;
      const slowTests = Array.from({ length: 10 }, () => call("POST", `/webhooks/${slowEp.id}/test`, { eventType: "order.created" }));
      await waitUntil(() => slow.received.length === 8);
      const quick = await call("POST", `/webhooks/${fastEp.id}/test`, { eventType: "order.created" });
      expect(quick.body.status).toBe("succeeded");
      // The fast endpoint's delivery arrived while the slow one's first eight were still open.
      expect(fast.received[0]!.at - slow.received[0]!.at).toBeLessThan(1_000);
      const answers = await Promise.all(slowTests);
      expect(answers.map((a) => a.body.status)).toEqual(Array(10).fill("succeeded"));
      // The ninth could only go once one of the first eight had its answer, a second after it arrived.
      expect(slow.received[8]!.at - slow.received[0]!.at).toBeGreaterThanOrEqual(990);
    } finally {
      await e.close();
    }
  }, 30_000);
});
