import { randomBytes } from "node:crypto";
import { SECRET_PREFIX } from "./options.js";

export { SECRET_PREFIX };

/**
 * A fresh signing secret in the `whsec_<base64>` form the docs show. Standard base64 (not the URL
 * alphabet), so the same secret also signs and verifies in the Standard Webhooks scheme, whose
 * libraries decode what follows `whsec_`; 24 bytes encode to 32 characters without padding.
 */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString("base64");
}
