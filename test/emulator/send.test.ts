import { afterEach, describe, expect, it } from "vitest";
import { DeliverySender } from "../../src/emulator/send.js";
import { startReceiver, type Receiver } from "./helpers.js";

let receiver: Receiver | undefined;
let sender: DeliverySender | undefined;
afterEach(async () => {
  await sender?.close();
  await receiver?.close();
});

describe("DeliverySender", () => {
  // Runs first in its own file, so undici is not loaded yet: loading it (hundreds of ms on a busy
  // machine) must not count against the receiver's time.
  it("does not charge a cold start to the first attempt's timeout", async () => {
    receiver = await startReceiver(() => ({ status: 500, body: "down" }));
    sender = new DeliverySender(300);
    const result = await sender.send(receiver.url, { "content-type": "application/json" }, "{}");
    expect(result).toMatchObject({ statusCode: 500, error: null, responseBody: "down" });
  });

  it("words a receiver that never answers with the shared timeout wording", async () => {
    receiver = await startReceiver(() => "hang");
    sender = new DeliverySender(200);
    const result = await sender.send(receiver.url, {}, "{}");
    expect(result).toMatchObject({ statusCode: null, error: "timed out after 200 ms" });
  });

  it("answers cancelled after close(), opening nothing", async () => {
    receiver = await startReceiver();
    sender = new DeliverySender(1_000);
    await sender.close();
    expect(await sender.send(receiver.url, {}, "{}")).toMatchObject({ statusCode: null, error: "cancelled" });
    expect(receiver.received).toHaveLength(0);
  });
});
