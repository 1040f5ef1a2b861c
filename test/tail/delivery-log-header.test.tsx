import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DeliveryLogPollState } from "../../src/listen/types.js";
import { clockTime } from "../../src/listen/view/delivery-format.js";
import { DeliveryLogHeader } from "../../src/listen/view/delivery-log-header.js";
import { stripAnsi } from "../../src/terminal/style.js";

afterEach(() => cleanup());

describe("DeliveryLogHeader", () => {
  it("says what is tailed, how polling goes, and when it waits out a 429 or an unreachable API", async () => {
    let push: (state: DeliveryLogPollState) => void = () => {};
    const source = {
      info: { mode: "tail" as const, endpoints: ["we_1", "we_2"], all: false, apiBase: "http://127.0.0.1:8787/api", intervalMs: 2000, status: "failed", events: "draw.*" },
      subscribeMessages: () => () => {},
      subscribePolling(listener: (state: DeliveryLogPollState) => void) {
        push = listener;
        listener({ state: "starting" });
        return () => {};
      },
    };
    const view = render(<DeliveryLogHeader source={source} />);
    const frame = () => stripAnsi(view.lastFrame() ?? "");
    expect(frame()).toContain("fanfare deliveries tail  we_1, we_2  api http://127.0.0.1:8787/api");
    expect(frame()).toContain("polling every 2 s, first poll…");
    expect(frame()).toContain("status failed  events draw.*");

    const at = Date.parse("2026-11-30T12:00:05Z");
    push({ state: "waiting", why: "rate_limited", message: "rate limited by the API (429 rate_limited)", retryAt: at, endpoints: 2 });
    await vi.waitFor(() => expect(frame()).toContain(`rate limited · next try ${clockTime(at)} · rate limited by the API (429`));
    push({ state: "waiting", why: "unreachable", message: "cannot reach http://x/api (connection refused)\u001b[2J", retryAt: at, endpoints: 2 });
    await vi.waitFor(() => expect(frame()).toContain("API unreachable · next try"));
    expect(view.lastFrame()).not.toContain("\u001b[2J");
    expect(frame()).toContain("(connection refused)\\x1b[2J");
    push({ state: "polling", lastPollAt: at, endpoints: 2 });
    await vi.waitFor(() => expect(frame()).toContain(`polling every 2 s, last ${clockTime(at)}`));
  });
});
