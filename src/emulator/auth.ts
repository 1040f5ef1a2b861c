import { randomBytes, timingSafeEqual } from "node:crypto";

/** A throwaway key for one emulator run, shaped like a test key so masking treats it as one. */
export function generateApiKey(): string {
  return "sk_test_" + randomBytes(18).toString("base64url");
}

/**
 * Whether an Authorization header carries one of `keys` as a Bearer token. Compared in constant
 * time per key, so the answer's timing says nothing about how much of a key was right.
 */
export function isAuthorized(header: string | undefined, keys: readonly string[]): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!, "utf8");
  let ok = false;
  for (const key of keys) {
    const expected = Buffer.from(key, "utf8");
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
