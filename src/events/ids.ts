/**
 * ULID-style ids as the events reference shows them (`whk_01HXYZ…`): 10 characters of millisecond
 * time then 16 of randomness, in Crockford base32, so ids sort by the millisecond they were made in.
 * Within one millisecond the random part is fresh rather than incremented (ULID's monotonic
 * variant): ids of different entities in one sample should not look like a counter.
 * Math.random, not node:crypto: these ids name samples and need only be unique, and loading crypto
 * would cost `sample` and `events` a few milliseconds of start-up.
 */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

export function ulid(now: Date = new Date()): string {
  let time = Math.min(Math.max(Math.floor(now.getTime()), 0), MAX_TIME);
  if (Number.isNaN(time)) time = Date.now();
  let head = "";
  for (let i = 0; i < TIME_CHARS; i++) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  let tail = "";
  for (let i = 0; i < RANDOM_CHARS; i++) tail += CROCKFORD[Math.floor(Math.random() * 32)];
  return head + tail;
}

/** `newId("whk")` → "whk_01J…" (a trailing underscore in the prefix is accepted too). */
export function newId(prefix: string, now?: Date): string {
  const separator = prefix.endsWith("_") || prefix === "" ? "" : "_";
  return prefix + separator + ulid(now);
}
