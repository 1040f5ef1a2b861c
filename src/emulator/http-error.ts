import type { ApiErrorBody } from "../api/types.js";

/**
 * An answer in the contract's error shape, `{ error: { code, message, fields? } }`. Handlers throw
 * it; the server turns it into the response.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);
