import { describe, expect, it } from "vitest";
import { ADVICE, judgeCheck, judgeChecks, summarize } from "../../src/check/judge.js";
import { checkReport, checkTable } from "../../src/check/format.js";
import {
  CHECK_NAMES,
  LARGE_BODY_BYTES,
  NON_ASCII_TEXT,
  OTHER_SECRET,
  planChecks,
  signedRequest,
  type CheckPlan,
} from "../../src/check/plan.js";
import type { DeliveryResult } from "../../src/delivery/report.js";
import { sampleOf } from "../../src/events/sample.js";
import { requireEventType } from "../../src/events/catalog.js";
import { verifySignature } from "../../src/signing/signature.js";

const SECRET = "whsec_planTestSecret0123456789";
const NOW = 1_800_000_000;

function plans(events = ["draw.consumer.won", "order.created"], secret = SECRET): Map<string, CheckPlan> {
  const all = planChecks({ events, secret, sample: (e) => sampleOf(requireEventType(e), { now: new Date(NOW * 1000) }) });
  return new Map(all.map((p) => [p.name, p]));
}

/** The CLI's own verifier on what a request would put on the wire. */
function verifies(plan: CheckPlan, index = 0, secret = SECRET, now = NOW) {
  const sent = signedRequest(plan.requests[index]!, "v1", now);
  return verifySignature({
    secret,
    payload: sent.body,
    signature: sent.headers["x-fanfare-signature"],
    timestamp: sent.headers["x-fanfare-timestamp"],
    now,
  });
}

function answer(status: number | null, durationMs = 5, extra: Partial<DeliveryResult> = {}): DeliveryResult {
  return {
    event: "draw.consumer.won",
    id: "whk_1",
    url: "http://localhost:3000/",
    status,
    ok: status !== null && status >= 200 && status < 300,
    durationMs,
    error: status === null ? "connection reset by the receiver" : null,
    errorCode: status === null ? "connection_reset" : null,
    responseBody: "",
    ...extra,
  };
}

describe("check plans", () => {
  it("plans every check, in the report's order, each event validly signed once", () => {
    const p = plans();
    expect([...p.keys()]).toEqual([...CHECK_NAMES]);
    const valid = p.get("valid-deliveries")!;
    expect(valid.requests.map((r) => r.event)).toEqual(["draw.consumer.won", "order.created"]);
    expect(verifies(valid, 0).valid).toBe(true);
    expect(verifies(valid, 1).valid).toBe(true);
    // Fresh ids everywhere but the redelivery, so a handler that refuses repeats fails only that check.
    const ids = [...p.values()].flatMap((plan) => plan.requests.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length - 1);
  });

  it("signs the bad-signature request with another secret, and nothing else is wrong with it", () => {
    const bad = plans().get("bad-signature")!;
    expect(verifies(bad)).toMatchObject({ valid: false, code: "mismatch" });
    expect(verifies(bad, 0, OTHER_SECRET).valid).toBe(true);
    // A handler whose secret happens to be that other one still gets a bad signature.
    const same = plans(["draw.consumer.won"], OTHER_SECRET).get("bad-signature")!;
    expect(verifies(same, 0, OTHER_SECRET).valid).toBe(false);
  });

  it("sends the missing-signature request with every other header, for each scheme", () => {
    const missing = plans().get("missing-signature")!;
    for (const scheme of ["v1", "sha256", "hex"] as const) {
      const headers = signedRequest(missing.requests[0]!, scheme, NOW).headers;
      expect(Object.keys(headers).sort()).toEqual(
        ["content-type", "user-agent", "x-fanfare-delivery-id", "x-fanfare-event-type", "x-fanfare-timestamp"].sort(),
      );
    }
  });

  it("tampers with the body after signing: a changed value, and the same JSON reformatted", () => {
    const [changed, reformatted] = plans().get("tampered-body")!.requests;
    for (const request of [changed!, reformatted!]) {
      const sent = signedRequest(request, "v1", NOW);
      expect(sent.body).not.toBe(request.signedBody);
      expect(verifySignature({ secret: SECRET, payload: request.signedBody, signature: sent.headers["x-fanfare-signature"], now: NOW }).valid).toBe(true);
      expect(verifySignature({ secret: SECRET, payload: sent.body, signature: sent.headers["x-fanfare-signature"], now: NOW }).valid).toBe(false);
    }
    expect(JSON.parse(changed!.sentBody!).organizationId).not.toBe(JSON.parse(changed!.signedBody).organizationId);
    expect(JSON.parse(reformatted!.sentBody!)).toEqual(JSON.parse(reformatted!.signedBody));
  });

  it("signs the old-timestamp request validly, 15 minutes before it is sent", () => {
    const old = plans().get("old-timestamp")!;
    const sent = signedRequest(old.requests[0]!, "v1", NOW);
    expect(sent.headers["x-fanfare-timestamp"]).toBe(String(NOW - 900));
    expect(verifies(old)).toMatchObject({ valid: false, code: "expired" });
    // Validly signed: it verifies for a clock 15 minutes behind.
    expect(
      verifySignature({ secret: SECRET, payload: sent.body, signature: sent.headers["x-fanfare-signature"], now: NOW - 900 }).valid,
    ).toBe(true);
  });

  it("sends the same delivery twice for the redelivery check, signed afresh each time", () => {
    const [first, again] = plans().get("redelivery")!.requests;
    expect(again!.id).toBe(first!.id);
    expect(again!.signedBody).toBe(first!.signedBody);
    const a = signedRequest(first!, "v1", NOW);
    const b = signedRequest(again!, "v1", NOW + 3);
    expect(a.headers["x-fanfare-delivery-id"]).toBe(b.headers["x-fanfare-delivery-id"]);
    expect(b.headers["x-fanfare-timestamp"]).toBe(String(NOW + 3));
  });

  it("makes a body of exactly 1 MB, and one with non-ASCII text as raw UTF-8", () => {
    const p = plans();
    const large = p.get("large-payload")!.requests[0]!;
    expect(Buffer.byteLength(signedRequest(large, "v1", NOW).body)).toBe(LARGE_BODY_BYTES);
    expect(JSON.parse(large.signedBody).type).toBe("draw.consumer.won");
    const text = signedRequest(p.get("non-ascii")!.requests[0]!, "v1", NOW).body;
    expect(text).toContain(NON_ASCII_TEXT);
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
    expect(verifies(p.get("non-ascii")!).valid).toBe(true);
  });
});

describe("judging answers", () => {
  const p = plans(["draw.consumer.won"]);
  const judge = (name: string, ...answers: Array<DeliveryResult | undefined>) => judgeCheck(p.get(name as never)!, answers);

  it("accept: 2xx passes, over 5 s warns, anything else fails with advice that fits", () => {
    expect(judge("valid-deliveries", answer(200))).toMatchObject({ result: "pass", advice: null });
    expect(judge("valid-deliveries", answer(204, 6_000))).toMatchObject({ result: "warn", advice: ADVICE.slow });
    expect(judge("valid-deliveries", answer(401))).toMatchObject({ result: "fail", advice: ADVICE.verifyRaw });
    expect(judge("valid-deliveries", answer(500))).toMatchObject({ result: "fail", advice: ADVICE.crashed });
    const timeout = answer(null, 30_000, { error: "timed out after 30 s", errorCode: "timeout" });
    expect(judge("valid-deliveries", timeout)).toMatchObject({ result: "fail", advice: ADVICE.tooSlow });
    expect(judge("large-payload", answer(413))).toMatchObject({ result: "fail", advice: ADVICE.tooLarge });
    expect(judge("non-ascii", answer(400))).toMatchObject({ result: "fail", advice: ADVICE.encoding });
  });

  it("names what was sent and what came back, with the start of a failing answer", () => {
    const v = judge("valid-deliveries", answer(500, 3, { responseBody: '{"error":"boom"}\n' }));
    expect(v.detail).toMatch(/^draw\.consumer\.won \[whk_\w+\] → 500 in 3 ms: \{"error":"boom"\}$/);
    const many = plans(["draw.consumer.won", "order.created", "order.completed", "consumer.created"]).get("valid-deliveries")!;
    const all = judgeCheck(many, [answer(200), answer(500), answer(500), answer(500)]);
    expect(all.detail).toBe(
      "3 of 4 not accepted: order.created → 500 in 5 ms, order.completed → 500 in 5 ms, consumer.created → 500 in 5 ms",
    );
    expect(judgeCheck(many, [answer(200), answer(200), answer(200), answer(200, 9)]).detail).toBe(
      "4 event types, each answered 200 (slowest: consumer.created 9 ms)",
    );
  });

  it("refuse: 4xx passes, 2xx fails naming the missing check, 5xx warns, no answer fails", () => {
    expect(judge("bad-signature", answer(401))).toMatchObject({ result: "pass", advice: null });
    expect(judge("bad-signature", answer(200))).toMatchObject({ result: "fail", advice: ADVICE.noVerify });
    expect(judge("missing-signature", answer(200))).toMatchObject({ result: "fail", advice: ADVICE.noSignature });
    expect(judge("old-timestamp", answer(202))).toMatchObject({ result: "fail", advice: ADVICE.oldTimestamp });
    expect(judge("bad-signature", answer(500))).toMatchObject({ result: "warn", advice: ADVICE.refusedLoudly });
    expect(judge("bad-signature", answer(null))).toMatchObject({ result: "fail", advice: ADVICE.noAnswer });
  });

  it("tampered body: a reformatted body let in means the handler verifies a re-serialised body", () => {
    expect(judge("tampered-body", answer(401), answer(400))).toMatchObject({ result: "pass" });
    expect(judge("tampered-body", answer(200), answer(200))).toMatchObject({ result: "fail", advice: ADVICE.tampered });
    expect(judge("tampered-body", answer(401), answer(200))).toMatchObject({ result: "fail", advice: ADVICE.reserialised });
  });

  it("redelivery: 2xx twice passes; a 5xx (or 409) on the repeat fails with the idempotency advice", () => {
    expect(judge("redelivery", answer(200), answer(200))).toMatchObject({ result: "pass" });
    const failed = judge("redelivery", answer(200), answer(500, 2, { responseBody: "duplicate" }));
    expect(failed).toMatchObject({ result: "fail", advice: ADVICE.idempotent });
    expect(failed.detail).toMatch(/→ 200 in 5 ms, again with a fresh timestamp → 500 in 2 ms: duplicate$/);
    expect(judge("redelivery", answer(200), answer(409))).toMatchObject({ result: "fail", advice: ADVICE.idempotentStatus });
    expect(judge("redelivery", answer(401), answer(401))).toMatchObject({ result: "fail", advice: ADVICE.notAccepted });
    expect(judge("redelivery", answer(200, 7_000), answer(200))).toMatchObject({ result: "warn", advice: ADVICE.slow });
  });

  it("points the checks built on a valid delivery at valid deliveries when that one was refused", () => {
    const refused = answer(401, 3, { responseBody: "invalid signature" });
    const verdicts = judgeChecks(
      [...p.values()].map((plan) => ({
        plan,
        answers: plan.expect === "refuse" ? [answer(401), answer(401)] : plan.requests.map(() => refused),
      })),
    );
    const advice = Object.fromEntries(verdicts.map((v) => [v.name, v.advice]));
    expect(advice).toEqual({
      "valid-deliveries": ADVICE.verifyRaw,
      "bad-signature": null,
      "missing-signature": null,
      "tampered-body": null,
      "old-timestamp": null,
      redelivery: ADVICE.sameAsValid,
      "large-payload": ADVICE.sameAsValid,
      "non-ascii": ADVICE.sameAsValid,
    });
    // Alone, the non-ASCII check's 4xx points at the encoding.
    expect(judge("non-ascii", answer(400)).advice).toBe(ADVICE.encoding);
  });

  it("formats a table with advice under what did not pass, escaping the handler's words, and a JSON report", () => {
    const verdicts = [
      judge("valid-deliveries", answer(200)),
      judge("bad-signature", answer(200, 3, { responseBody: "ok\u001b[2J" })),
    ];
    const lines = checkTable(verdicts);
    expect(lines[0]).toMatch(/^pass  valid deliveries  draw\.consumer\.won \[whk_\w+\] → 200 in 5 ms$/);
    expect(lines[1]).toMatch(/^FAIL  bad signature     draw\.consumer\.won \[whk_\w+\] signed with another secret → 200 in 3 ms: ok\\x1b\[2J$/);
    expect(lines[2]).toBe(`${" ".repeat(6 + "valid deliveries".length + 2)}fix: ${ADVICE.noVerify}`);
    expect(lines).toHaveLength(3);
    const summary = summarize(verdicts);
    expect(summary).toEqual({ passed: 1, warned: 0, failed: 1 });
    const report = checkReport(verdicts, summary, {
      url: "http://x/",
      scheme: "v1",
      events: 1,
      requests: 2,
      elapsedMs: 12.3,
      planned: 8,
      interrupted: false,
    });
    expect(report.checks[1]).toMatchObject({ name: "bad-signature", result: "fail", advice: ADVICE.noVerify });
    expect(report.summary).toMatchObject({ passed: 1, failed: 1, total: 2, ok: false, elapsedMs: 12 });
  });
});
