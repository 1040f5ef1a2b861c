import type { IncomingHttpHeaders } from "node:http";
import { verifySignature } from "../../src/signing/signature.js";

/** Whether a request a test server recorded carries a valid, current X-Fanfare signature of its body for `secret`. */
export function signedWith(secret: string, request: { headers: IncomingHttpHeaders; body: Buffer }): boolean {
  return verifySignature({
    secret,
    payload: request.body,
    signature: request.headers["x-fanfare-signature"] as string | undefined,
    timestamp: request.headers["x-fanfare-timestamp"] as string | undefined,
    now: Math.floor(Date.now() / 1000),
  }).valid;
}
