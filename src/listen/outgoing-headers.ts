/** Headers of an incoming delivery that travel on to the target (webhook-*: Standard Webhooks). */
function forwardedHeader(name: string): boolean {
  return name.startsWith("x-fanfare-") || name.startsWith("webhook-") || name === "content-type" || name === "user-agent";
}

/**
 * The headers a delivery goes on to its targets with: the forwarded ones of `incoming` (lower-cased
 * names, as the receiver gives them), then `extra` (--headers, lower-cased by parseHeadersFlag) added
 * and overriding. Everything else (host, cookie, authorization, x-forwarded-*…) stays behind. A new
 * object; neither argument is changed.
 */
export function outgoingHeaders(incoming: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in incoming) if (forwardedHeader(name)) headers[name] = incoming[name]!;
  for (const name in extra) headers[name] = extra[name]!;
  return headers;
}
