/**
 * Which headers undici will send. Its Request constructor throws on any other (UND_ERR_INVALID_ARG),
 * and in undici 7 a request refused that way leaves its Pool waiting for a drain that never comes:
 * every later request on that origin hangs without holding a handle, and the process just exits.
 * So the HTTP layer checks first, with undici's own rules (lib/core/util.js: isValidHTTPToken for
 * names, isValidHeaderValue for values, lifted from Node's _http_common.js), and listen's --headers
 * parser uses the same predicates so a bad value is refused at start rather than on every delivery.
 */

/**
 * A header undici would refuse (the rules below): the request was never sent. Not a network fault,
 * but the same kind of outcome for a sender: that one request failed, the next can go.
 */
export class InvalidHeaderError extends Error {
  readonly code = "FANFARE_INVALID_HEADER";
  /**
   * @param headerName as the caller spelled it; shown only when valid (a bad value's name), since a
   *   bad name may hold anything.
   * @param codePoint the first character that cannot be sent, -1 for an empty name.
   */
  constructor(
    readonly headerName: string,
    readonly part: "name" | "value",
    readonly codePoint: number,
  ) {
    super(part === "name" ? "invalid header name" : `invalid ${headerName} header value`);
    this.name = "InvalidHeaderError";
  }
}

/** RFC 9110 token: undici's tokenRegExp. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A character no field value may hold: controls other than tab (CR, LF and NUL included), DEL, and,
 * since a string is sent as Latin-1, any code point above U+00FF. undici's headerCharRegex.
 */
const UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/;

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

export function isSendableHeaderValue(value: string): boolean {
  return !UNSENDABLE.test(value);
}

/**
 * Why undici would refuse these headers, or null when it would send them all. One regex test per
 * name and per value, and nothing allocated unless one fails: it runs on every request listen
 * forwards and trigger sends.
 */
export function unsendableHeader(headers: Readonly<Record<string, string>>): InvalidHeaderError | null {
  for (const name in headers) {
    if (!TOKEN.test(name)) return new InvalidHeaderError(name, "name", firstMatch(name, NOT_TOKEN_CHAR));
    const value = headers[name]!;
    if (UNSENDABLE.test(value)) return new InvalidHeaderError(name, "value", firstMatch(value, UNSENDABLE_CHAR));
  }
  return null;
}

/** The first character of a header value that cannot be sent, as a code point; -1 when none. */
export function unsendableCodePoint(value: string): number {
  return firstMatch(value, UNSENDABLE_CHAR);
}

// The same classes by code point (the u flag), so a character outside the BMP is one match.
const NOT_TOKEN_CHAR = /[^!#$%&'*+.^_`|~0-9A-Za-z-]/u;
const UNSENDABLE_CHAR = /[^\t\x20-\x7e\x80-\xff]/u;

function firstMatch(text: string, bad: RegExp): number {
  const match = bad.exec(text);
  return match === null ? -1 : match[0].codePointAt(0)!;
}
