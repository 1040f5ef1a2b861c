/**
 * Guide and planned names that mean the same as a reference name: the webhooks guide and the
 * custom-webhooks page spell some events differently from the events reference
 * (`queue.consumer_entered` beside `queue.consumer.entered`), with the same description and key data.
 * The reference spelling is the one whose payload the platform documents, so `events` says, for each
 * of these, which reference name it mirrors, and suggestions offer the reference name. Both spellings
 * stay in the catalog (and in `trigger --all`): a handler may have been written against either.
 *
 * Only pairs whose descriptions and key data match are listed (checked against the docs by
 * test/events/catalog.test.ts: every key is guide or planned, every value reference).
 */
export const MIRRORS: Readonly<Record<string, string>> = Object.freeze({
  "queue.consumer_entered": "queue.consumer.entered",
  "queue.consumer_admitted": "queue.consumer.admitted",
  "queue.consumer_left": "queue.consumer.left",
  "queue.admission_completed": "queue.consumer.completed",
  "draw.entry_created": "draw.consumer.entered",
  "draw.winners_selected": "draw.completed",
  "auction.bid_placed": "auction.bid.placed",
  "auction.outbid": "auction.bid.outbid",
  "auction.auction_ended": "auction.settled",
  "auction.winner_notified": "auction.consumer.won",
  "distribution.admitted": "queue.consumer.admitted",
  "distribution.bid_placed": "auction.bid.placed",
  "distribution.completed": "queue.consumer.completed",
});

/** The reference name `name` mirrors, or null (a reference name, or one with no counterpart). */
export function mirrorOf(name: string): string | null {
  return Object.hasOwn(MIRRORS, name) ? MIRRORS[name]! : null;
}
