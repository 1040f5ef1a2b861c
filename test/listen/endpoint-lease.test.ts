import { describe, expect, it } from "vitest";
import type { ApiClient } from "../../src/api/client.js";
import { leaseExistingEndpoint, leaseTemporaryEndpoint } from "../../src/listen/endpoint-lease.js";

// leftBehind(): what a second Ctrl-C, leaving without giving the endpoint back, says it left.

/** Just enough of the admin client; `deleteEndpoint` and `updateEndpoint` wait for `answer()`. */
function fakeClient() {
  const waiting: Array<() => void> = [];
  const held = () => new Promise<void>((resolve) => waiting.push(resolve));
  const endpoint = { id: "we_1", url: "https://app.example/hooks", events: ["draw.consumer.won"] };
  const client = {
    createEndpoint: async () => endpoint,
    getEndpoint: async () => endpoint,
    updateEndpoint: async (_id: string, input: { url?: string }) => {
      // The lease's own move (at start) goes through at once; a later one waits.
      if (input.url === endpoint.url) await held();
      return endpoint;
    },
    deleteEndpoint: held,
  } as unknown as ApiClient;
  return { client, answer: () => waiting.splice(0).forEach((resolve) => resolve()) };
}

describe("endpoint lease: leftBehind", () => {
  it("a temporary endpoint: left until its delete has gone through, and said to be removed by the next listen", async () => {
    const { client, answer } = fakeClient();
    const lease = await leaseTemporaryEndpoint(client, { url: "https://t.example/webhooks", events: [], secret: "whsec_x", description: "d" });
    expect(lease.leftBehind()).toBe("left temporary endpoint we_1 (the next listen removes it)");
    const released = lease.release();
    expect(lease.leftBehind()).toBe("left temporary endpoint we_1 unless its delete, under way, got through (the next listen removes it)");
    answer();
    expect(await released).toBeNull();
    expect(lease.leftBehind()).toBeNull();
  });

  it("a reused endpoint: left pointed at the session until it gets its URL back, with the command that does it", async () => {
    const { client, answer } = fakeClient();
    const lease = await leaseExistingEndpoint(client, "we_1", "https://t.example/webhooks");
    expect(lease.leftBehind()).toBe(
      "left endpoint we_1 pointed at this listen (point it back with: fanfare webhooks endpoints update we_1 --url https://app.example/hooks)",
    );
    const released = lease.release();
    answer();
    expect(await released).toBeNull();
    expect(lease.leftBehind()).toBeNull();
  });

  it("a reused endpoint that already pointed at the session leaves nothing", async () => {
    const { client } = fakeClient();
    const lease = await leaseExistingEndpoint(client, "we_1", "https://app.example/hooks");
    expect(lease.leftBehind()).toBeNull();
  });
});
