import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { LifecycleScope, STOP_SIGNALS, type SignalSource } from "../../src/lifecycle/scope.js";

function scopeWith(now = () => 0) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const scope = new LifecycleScope({
    signals: signals as unknown as SignalSource,
    exitNow: (code) => exits.push(code),
    now,
  });
  return { scope, signals, exits };
}

describe("LifecycleScope", () => {
  for (const signal of STOP_SIGNALS) {
    it(`${signal} stops it with 130 and aborts its signal`, async () => {
      const { scope, signals } = scopeWith();
      signals.emit(signal, signal);
      expect(scope.signal.aborted).toBe(true);
      expect(await scope.stopped).toEqual({ code: 130, signal });
    });
  }

  it("the first stop request wins", async () => {
    const { scope, signals } = scopeWith();
    scope.stop({ code: 0 });
    signals.emit("SIGINT", "SIGINT");
    expect(await scope.stopped).toEqual({ code: 0 });
  });

  it("runs clean-up steps once, latest first, and a failing step does not stop the others", async () => {
    const { scope } = scopeWith();
    const order: string[] = [];
    scope.defer(() => order.push("receiver"));
    scope.defer(() => {
      throw new Error("endpoint could not be deleted");
    });
    scope.defer(async () => order.push("tunnel"));
    expect(await scope.close()).toEqual(["endpoint could not be deleted"]);
    expect(order).toEqual(["tunnel", "receiver"]);
    expect(await scope.close()).toEqual([]);
    expect(order).toEqual(["tunnel", "receiver"]);
  });

  it("stops listening for signals once closed", async () => {
    const { scope, signals } = scopeWith();
    expect(signals.listenerCount("SIGTERM")).toBe(1);
    await scope.close();
    for (const signal of STOP_SIGNALS) expect(signals.listenerCount(signal)).toBe(0);
  });

  it("a second signal while stopping runs the urgent steps and leaves at once with 130", () => {
    let clock = 0;
    const { scope, signals, exits } = scopeWith(() => clock);
    const urgent: string[] = [];
    scope.deferUrgent(() => urgent.push("session file"));
    signals.emit("SIGINT", "SIGINT");
    clock = 1_000;
    signals.emit("SIGINT", "SIGINT");
    expect(urgent).toEqual(["session file"]);
    expect(exits).toEqual([130]);
  });

  it("a repeat of the same signal within a moment is not a second Ctrl-C", () => {
    let clock = 0;
    const { signals, exits } = scopeWith(() => clock);
    signals.emit("SIGTERM", "SIGTERM");
    clock = 50;
    signals.emit("SIGTERM", "SIGTERM");
    expect(exits).toEqual([]);
  });
});
