import { randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";

/** A fresh signing secret in the `whsec_…` form the docs show. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString("base64url");
}
