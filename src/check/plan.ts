/**
 * What `webhooks check` sends to a handler: one plan per check, each a list of requests described as
 * data (which body, signed how, sent how). Pure: samples come from the function passed in, and the
 * moment of signing is given when a request is made (`signedRequest`), so the same plan is
 * deterministic in tests and fresh when it runs.
 */
import type { SignedDelivery } from "../delivery/send.js";
import { signDelivery } from "../delivery/send.js";
import type { SignatureScheme } from "../signing/options.js";

export const CHECK_NAMES = [
  "valid-deliveries",
  "bad-signature",
  "missing-signature",
  "tampered-body",
  "old-timestamp",
  "redelivery",
  "large-payload",
  "non-ascii",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/**
 * How the handler should answer:
 *   accept        every request 2xx (within 30 s; slower than 5 s is a warning)
 *   refuse        every request 4xx (2xx means the handler let it in)
 *   accept-again  the requests in order, each after the previous answer, all 2xx (a 5xx on a repeat fails)
 */
type Expectation = "accept" | "refuse" | "accept-again";

/** One request of a check, before it is signed. */
export interface CheckRequest {
  event: string;
  /** The payload id, also sent as the delivery id. */
  id: string;
  /** How this request differs from a good delivery, for the report ("signed with another secret"). */
  variant?: string;
  /** The exact bytes the signature covers. */
  signedBody: string;
  /** What is sent when it is not what was signed (a tampered body). */
  sentBody?: string;
  /** The secret it is signed with (another one for the bad-signature check). */
  secret: string;
  /** How many seconds before the moment of sending its timestamp claims to be. */
  ageSeconds: number;
  /** Sent without the signature header(s). */
  unsigned: boolean;
}

export interface CheckPlan {
  name: CheckName;
  /** The row's label in the table. */
  title: string;
  expect: Expectation;
  requests: CheckRequest[];
}

/** The envelope of a sample, as much of it as the plans need. */
interface SamplePayload {
  id: string;
  type: string;
  organizationId?: string;
  data: Record<string, unknown>;
}

interface PlanInput {
  /** Event types to deliver validly, in order; the first also carries the other checks. */
  events: readonly string[];
  /** The secret the handler verifies with. */
  secret: string;
  /** A fresh sample of an event: a new id each call. */
  sample(event: string): SamplePayload;
  /** The handler's expected timestamp tolerance (default 300 s): the old timestamp is well past it. */
  toleranceSeconds?: number;
}

/** The large-payload check's body size: 1 MB (MiB), what a generous body limit still lets in. */
export const LARGE_BODY_BYTES = 1024 * 1024;
/** Answers slower than this are a warning: the platform gives up at 30 s and retries. */
export const SLOW_ANSWER_MS = 5_000;
const DEFAULT_CHECK_TOLERANCE_SECONDS = 300;

/**
 * Signs what no handler should accept. A fixed value rather than a random one keeps the plans
 * deterministic; it is a `whsec_` secret with a base64 key, so every scheme can sign with it.
 */
export const OTHER_SECRET = "whsec_" + Buffer.from("fanfare check: not your secret!!").toString("base64");
/** Used when the handler's own secret is OTHER_SECRET, so "another secret" stays another one. */
const OTHER_SECRET_2 = "whsec_" + Buffer.from("fanfare check: also not yours!!!").toString("base64");

/** Text with characters from several scripts, an emoji outside the BMP and a combining accent. */
export const NON_ASCII_TEXT = "Zoë Łukasiewicz — 東京 🎟️ naïve café ✓ Ωmega";

/** Every plan, in the order the report shows them. */
export function planChecks(input: PlanInput): CheckPlan[] {
  const [first] = input.events;
  if (first === undefined) throw new Error("planChecks needs at least one event");
  const tolerance = input.toleranceSeconds ?? DEFAULT_CHECK_TOLERANCE_SECONDS;
  const wrongSecret = input.secret === OTHER_SECRET ? OTHER_SECRET_2 : OTHER_SECRET;

  const good = (event: string, payload: SamplePayload = input.sample(event), variant?: string): CheckRequest => {
    const request: CheckRequest = {
      event,
      id: payload.id,
      signedBody: JSON.stringify(payload),
      secret: input.secret,
      ageSeconds: 0,
      unsigned: false,
    };
    if (variant !== undefined) request.variant = variant;
    return request;
  };

  const tamperedValue = (): CheckRequest => {
    const payload = input.sample(first);
    const request = good(first, payload, "organizationId changed after signing");
    request.sentBody = JSON.stringify({ ...payload, organizationId: otherOrganization(payload.organizationId) });
    return request;
  };
  const reformatted = (): CheckRequest => {
    const payload = input.sample(first);
    const request = good(first, payload, "the same JSON re-indented after signing");
    request.sentBody = JSON.stringify(payload, null, 2);
    return request;
  };
  const redelivered = good(first);

  return [
    { name: "valid-deliveries", title: "valid deliveries", expect: "accept", requests: input.events.map((e) => good(e)) },
    {
      name: "bad-signature",
      title: "bad signature",
      expect: "refuse",
      requests: [{ ...good(first, undefined, "signed with another secret"), secret: wrongSecret }],
    },
    {
      name: "missing-signature",
      title: "missing signature",
      expect: "refuse",
      requests: [{ ...good(first, undefined, "without a signature"), unsigned: true }],
    },
    { name: "tampered-body", title: "tampered body", expect: "refuse", requests: [tamperedValue(), reformatted()] },
    {
      name: "old-timestamp",
      title: "old timestamp",
      expect: "refuse",
      requests: [
        {
          ...good(first, undefined, `validly signed ${describeAge(3 * tolerance)} ago`),
          ageSeconds: 3 * tolerance,
        },
      ],
    },
    {
      name: "redelivery",
      title: "redelivery",
      expect: "accept-again",
      requests: [redelivered, { ...redelivered, variant: "the same delivery again (same id, fresh timestamp)" }],
    },
    { name: "large-payload", title: "1 MB payload", expect: "accept", requests: [largePayload(input, first, good)] },
    {
      name: "non-ascii",
      title: "non-ASCII text",
      expect: "accept",
      requests: [good(first, withNote(input.sample(first), NON_ASCII_TEXT), "with non-ASCII text (Zoë, 東京, 🎟️)")],
    },
  ];
}

/** A sample with `data.metadata.note` set: a free-text field, as handlers meet in real payloads. */
function withNote(payload: SamplePayload, note: string): SamplePayload {
  const metadata = isRecord(payload.data.metadata) ? payload.data.metadata : {};
  return { ...payload, data: { ...payload.data, metadata: { ...metadata, note } } };
}

/** A sample of `event` grown with a long note to exactly LARGE_BODY_BYTES of JSON. */
function largePayload(
  input: PlanInput,
  event: string,
  good: (event: string, payload: SamplePayload, variant: string) => CheckRequest,
): CheckRequest {
  const payload = input.sample(event);
  const bare = Buffer.byteLength(JSON.stringify(withNote(payload, "")));
  const big = withNote(payload, "x".repeat(Math.max(0, LARGE_BODY_BYTES - bare)));
  return good(event, big, `of ${LARGE_BODY_BYTES.toLocaleString("en-US")} bytes`);
}

function otherOrganization(current: string | undefined): string {
  const other = "org_01M80000000000000000000000";
  return current === other ? "org_01M80000000000000000000001" : other;
}

function describeAge(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} s`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The request as it goes out at `nowSeconds`: signed (or not) as the plan says, with the body it
 * says to send. Signature headers are found by signing twice with different secrets and keeping
 * what differs, so a scheme with other header names (or several) is stripped just as well.
 */
export function signedRequest(request: CheckRequest, scheme: SignatureScheme, nowSeconds: number): SignedDelivery {
  const timestamp = nowSeconds - request.ageSeconds;
  const sign = (secret: string) =>
    signDelivery({ eventType: request.event, deliveryId: request.id, body: request.signedBody, secret, scheme, timestamp });
  const signed = sign(request.secret);
  let headers = signed.headers;
  if (request.unsigned) {
    const other = sign(request.secret === OTHER_SECRET ? OTHER_SECRET_2 : OTHER_SECRET).headers;
    headers = Object.fromEntries(Object.entries(headers).filter(([name, value]) => other[name] === value));
  }
  return { ...signed, body: request.sentBody ?? request.signedBody, headers };
}

/** How many requests the plans send in all. */
export function requestCount(plans: readonly CheckPlan[]): number {
  return plans.reduce((n, plan) => n + plan.requests.length, 0);
}
