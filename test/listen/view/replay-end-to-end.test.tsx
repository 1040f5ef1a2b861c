import { render, cleanup } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startRelayParts, type RelayParts } from "../../../src/listen/session.js";
import type { SessionInfo } from "../../../src/listen/types.js";
import { deliveryHeaders } from "../../../src/signing/headers.js";
import { signPayload } from "../../../src/signing/signature.js";
import { ColorContext } from "../../../src/listen/view/color-context.js";
import { ListenScreen } from "../../../src/listen/view/listen-screen.js";
import type { ListenViewSource } from "../../../src/listen/types.js";
import { stripAnsi } from "../../../src/terminal/style.js";
import { send, startTarget } from "../servers.js";
import { signedWith } from "../../helpers/signatures.js";

// The live view wired as `listen` wires it (src/listen/run.ts): a real receiver, relay and forwarder,
// a real HTTP target on loopback, and the real screen driven by keys. Nothing is mocked.

const SECRET = "whsec_replayEndToEndSecret0123456789abcdef";
// vi.waitFor's default of 1 s is short for a real receiver, relay and target on a loaded machine.
const WAIT = { timeout: 10_000 };
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  cleanup();
  while (cleanups.length) await cleanups.pop()!();
});

function sourceOf(parts: RelayParts, forwardUrl: string): ListenViewSource {
  const info: SessionInfo = {
    mode: "local",
    receiverUrl: parts.receiver.url,
    publicUrl: null,
    forwardUrl,
    endpointId: null,
    secret: SECRET,
    events: [],
  };
  return {
    info,
    subscribe: (listener) => parts.relay.subscribe(listener),
    replay: async (record) => {
      await parts.relay.replay(record);
    },
  };
}


describe("replay from the live view, end to end", () => {
  it("r re-sends the selected delivery to the target: same body, valid signature, a ↻ row in the view", async () => {
    const target = await startTarget();
    cleanups.push(() => target.close());
    const forwardUrl = `${target.url}/webhooks`;
    const parts = await startRelayParts({ forwards: [{ pattern: null, url: new URL(forwardUrl) }], port: 0, secret: SECRET });
    cleanups.push(() => parts.close());

    const view = render(
      <ColorContext.Provider value={false}>
        <ListenScreen source={sourceOf(parts, forwardUrl)} rows={20} columns={120} />
      </ColorContext.Provider>,
    );
    const frame = () => stripAnsi(view.lastFrame() ?? "");
    await vi.waitFor(() => expect(frame()).toContain("waiting for deliveries"), WAIT);
    // Ink reads keys once it has subscribed to stdin, in an effect after the first frame.
    await vi.waitFor(() => expect(view.stdin.listenerCount("readable")).toBeGreaterThan(0), WAIT);

    const body = Buffer.from('{"id":"whk_replay_e2e","type":"draw.consumer.won","data":{"prize":"🎟 ticket"}}');
    const ts = Math.floor(Date.now() / 1000);
    const headers = deliveryHeaders({
      eventType: "draw.consumer.won",
      deliveryId: "whk_replay_e2e",
      timestamp: ts,
      signature: signPayload(SECRET, body, "v1", ts),
    });
    const reply = await send(parts.receiver.url, { body, headers });
    expect(reply.status).toBe(200);
    await vi.waitFor(() => expect(frame()).toMatch(/> \d\d:\d\d:\d\d {2}draw\.consumer\.won +whk_replay_e2e +1 {2}✓ {2}200/), WAIT);

    view.stdin.write("r");
    // Checked now: the message expires after 4 s, which the round trip below may take when loaded.
    await vi.waitFor(() => expect(frame()).toContain("replaying whk_replay_e2e (#1)"), WAIT);
    await vi.waitFor(() => expect(target.received).toHaveLength(2), WAIT);
    const [first, again] = target.received;
    expect(again!.body.equals(body)).toBe(true);
    expect(first!.body.equals(body)).toBe(true);
    expect(signedWith(SECRET, first!)).toBe(true);
    expect(signedWith(SECRET, again!)).toBe(true);
    expect(again!.headers["x-fanfare-delivery-id"]).toBe("whk_replay_e2e");

    // The replay is a new row, marked ↻, answered by the target; the original stays above it.
    await vi.waitFor(() => expect(frame()).toMatch(/> \d\d:\d\d:\d\d {2}draw\.consumer\.won +whk_replay_e2e +↻ {2}✓ {2}200/), WAIT);
    const rows = frame()
      .split("\n")
      .filter((line) => /^(> | {2})\d\d:\d\d:\d\d .*whk_replay_e2e/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^ {2}\d\d:\d\d:\d\d .* 1 {2}✓ {2}200/);
    expect(frame()).toContain("received 2  ok 2  failed 0  bad signature 0");
  });
});
