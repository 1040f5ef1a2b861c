import { at, CURRENCY, money, sampleToken } from "./sample-values.js";
import type { EventCategory, EventStatus, EventType, SampleContext } from "./types.js";

/**
 * Every event type's entry and sample factory, in one module: the catalog is data, and one file
 * loads several milliseconds faster than a file per category (start-up of `events` and `sample`).
 * Reference samples follow the events reference's examples field for field, in its order; guide samples follow the guide's
 * handler types and Key Data; planned samples follow the custom-webhooks page's example, camelCased like the reference.
 */

type SampleData = (ctx: SampleContext) => Record<string, unknown>;

/** `const queueEvent = eventsOf("queue")`, then `queueEvent("reference", name, description, data)`. */
function eventsOf(category: EventCategory) {
  return (status: EventStatus, name: string, description: string, sampleData: SampleData): EventType => ({
    name,
    category,
    status,
    description,
    sampleData,
  });
}

// ---------------------------------------------------------------- queue
const queueEvent = eventsOf("queue");

/** The ids every queue event of the reference starts with, in its order. */
function queueIds(ctx: SampleContext) {
  return {
    queueId: ctx.id("queue"),
    sequenceId: ctx.id("seq"),
    experienceId: ctx.id("exp"),
    consumerId: ctx.id("cons"),
  };
}

/** The guide's handler types (ConsumerAdmittedData …) name the queue `distributionId`. */
function queueGuideIds(ctx: SampleContext) {
  return {
    consumerId: ctx.id("cons"),
    experienceId: ctx.id("exp"),
    distributionId: ctx.id("queue"),
  };
}

const WAIT_SECONDS = 900;
const ADMISSION_SECONDS = 600;

export const QUEUE_EVENTS: EventType[] = [
  queueEvent("reference", "queue.consumer.entered", "Consumer joined a queue", (ctx) => ({
    ...queueIds(ctx),
    position: 42,
    enteredAt: at(ctx),
  })),
  queueEvent("reference", "queue.consumer.admitted", "Consumer admitted from queue", (ctx) => {
    const ids = queueIds(ctx);
    return {
      ...ids,
      enteredAt: at(ctx, -WAIT_SECONDS),
      admittedAt: at(ctx),
      admissionToken: sampleToken(ctx, { sub: ids.consumerId, aud: ids.experienceId }, ADMISSION_SECONDS),
      waitTimeSeconds: WAIT_SECONDS,
    };
  }),
  queueEvent("reference", "queue.consumer.completed", "Consumer completed checkout", (ctx) => ({
    ...queueIds(ctx),
    completedAt: at(ctx),
    orderId: ctx.id("order"),
  })),
  queueEvent("reference", "queue.consumer.left", "Consumer left the queue", (ctx) => ({
    ...queueIds(ctx),
    leftAt: at(ctx),
    positionWhenLeft: 35,
  })),
  queueEvent("reference", "queue.consumer.denied", "Consumer was denied entry", (ctx) => ({
    ...queueIds(ctx),
    deniedAt: at(ctx),
    reason: "ORDER_LIMIT_EXCEEDED",
  })),

  queueEvent("guide", "queue.consumer_entered", "Consumer joined queue", (ctx) => ({
    ...queueGuideIds(ctx),
    position: 42,
    enteredAt: at(ctx),
  })),
  queueEvent("guide", "queue.consumer_admitted", "Consumer reached front", (ctx) => {
    const ids = queueGuideIds(ctx);
    return {
      ...ids,
      admissionToken: sampleToken(ctx, { sub: ids.consumerId, aud: ids.experienceId }, ADMISSION_SECONDS),
      admittedAt: at(ctx),
      expiresAt: at(ctx, ADMISSION_SECONDS),
      position: 1,
      waitTimeSeconds: WAIT_SECONDS,
    };
  }),
  queueEvent("guide", "queue.consumer_left", "Consumer left queue", (ctx) => ({
    ...queueGuideIds(ctx),
    position: 35,
    reason: "consumer_left",
    leftAt: at(ctx),
  })),
  queueEvent("guide", "queue.admission_completed", "Purchase completed", (ctx) => ({
    ...queueGuideIds(ctx),
    orderId: ctx.id("order"),
    completedAt: at(ctx),
  })),
  queueEvent("guide", "queue.admission_expired", "Admission window closed", (ctx) => ({
    ...queueGuideIds(ctx),
    expiredAt: at(ctx),
  })),
];

// ---------------------------------------------------------------- draw
const drawEvent = eventsOf("draw");

function drawIds(ctx: SampleContext) {
  return { drawId: ctx.id("draw"), sequenceId: ctx.id("seq"), experienceId: ctx.id("exp") };
}

const CLAIM_SECONDS = 48 * 3600;

export const DRAW_EVENTS: EventType[] = [
  drawEvent("reference", "draw.consumer.entered", "Consumer entered a draw", (ctx) => ({
    ...drawIds(ctx),
    consumerId: ctx.id("cons"),
    enteredAt: at(ctx),
    entrantNumber: 1542,
  })),
  drawEvent("reference", "draw.consumer.won", "Consumer won the draw", (ctx) => {
    const ids = { ...drawIds(ctx), consumerId: ctx.id("cons") };
    return {
      ...ids,
      wonAt: at(ctx),
      admissionToken: sampleToken(ctx, { sub: ids.consumerId, aud: ids.experienceId }, CLAIM_SECONDS),
      winnerPosition: 3,
    };
  }),
  drawEvent("reference", "draw.consumer.lost", "Consumer did not win", (ctx) => ({
    ...drawIds(ctx),
    consumerId: ctx.id("cons"),
    lostAt: at(ctx),
  })),
  drawEvent("reference", "draw.completed", "Draw has been executed", (ctx) => ({
    ...drawIds(ctx),
    completedAt: at(ctx),
    totalEntrants: 5420,
    winnersSelected: 10,
  })),

  drawEvent("guide", "draw.entry_created", "New draw entry", (ctx) => ({
    drawId: ctx.id("draw"),
    experienceId: ctx.id("exp"),
    consumerId: ctx.id("cons"),
    entryNumber: 1542,
    createdAt: at(ctx),
  })),
  // Shaped exactly as the guide's WinnersSelectedData.
  drawEvent("guide", "draw.winners_selected", "Draw completed", (ctx) => {
    const experienceId = ctx.id("exp");
    return {
      drawId: ctx.id("draw"),
      experienceId,
      winners: [1, 2, 3].map((position) => {
        const consumerId = ctx.id("cons");
        return {
          consumerId,
          position,
          claimToken: sampleToken(ctx, { sub: consumerId, aud: experienceId }, CLAIM_SECONDS),
          claimDeadline: at(ctx, CLAIM_SECONDS),
        };
      }),
      totalEntries: 5420,
      selectionMethod: "random",
    };
  }),
  drawEvent("guide", "draw.prize_claimed", "Winner claimed prize", (ctx) => ({
    drawId: ctx.id("draw"),
    experienceId: ctx.id("exp"),
    consumerId: ctx.id("cons"),
    orderId: ctx.id("order"),
    claimedAt: at(ctx),
  })),
  drawEvent("guide", "draw.prize_expired", "Claim window closed", (ctx) => ({
    drawId: ctx.id("draw"),
    experienceId: ctx.id("exp"),
    consumerId: ctx.id("cons"),
    expiresAt: at(ctx),
  })),
];

// ---------------------------------------------------------------- auction
const auctionEvent = eventsOf("auction");

function auctionIds(ctx: SampleContext) {
  return { auctionId: ctx.id("auction"), sequenceId: ctx.id("seq"), experienceId: ctx.id("exp") };
}

export const AUCTION_EVENTS: EventType[] = [
  auctionEvent("reference", "auction.bid.placed", "Bid was placed", (ctx) => ({
    ...auctionIds(ctx),
    consumerId: ctx.id("cons"),
    bidId: ctx.id("bid"),
    bidAmount: money(250),
    currencyCode: CURRENCY,
    bidTime: at(ctx),
    isHighestBid: true,
  })),
  // The reference gives this one no currencyCode; the sample keeps to it.
  auctionEvent("reference", "auction.bid.outbid", "Bidder was outbid", (ctx) => ({
    ...auctionIds(ctx),
    consumerId: ctx.id("cons"),
    outbidAt: at(ctx),
    previousBidAmount: money(250),
    newHighBidAmount: money(275),
  })),
  auctionEvent("reference", "auction.consumer.won", "Consumer won auction", (ctx) => {
    const ids = { ...auctionIds(ctx), consumerId: ctx.id("cons") };
    return {
      ...ids,
      wonAt: at(ctx),
      winningBidAmount: money(500),
      currencyCode: CURRENCY,
      paymentToken: sampleToken(ctx, { sub: ids.consumerId, aud: ids.auctionId }, 24 * 3600),
    };
  }),
  auctionEvent("reference", "auction.settled", "Auction has settled", (ctx) => ({
    ...auctionIds(ctx),
    settledAt: at(ctx),
    totalBids: 145,
    uniqueBidders: 42,
    winningBidAmount: money(500),
    winnerId: ctx.id("cons"),
  })),

  auctionEvent("guide", "auction.bid_placed", "New bid received", (ctx) => ({
    auctionId: ctx.id("auction"),
    experienceId: ctx.id("exp"),
    consumerId: ctx.id("cons"),
    bidId: ctx.id("bid"),
    amount: money(250),
    currencyCode: CURRENCY,
    placedAt: at(ctx),
  })),
  auctionEvent("guide", "auction.outbid", "Consumer was outbid", (ctx) => ({
    auctionId: ctx.id("auction"),
    experienceId: ctx.id("exp"),
    consumerId: ctx.id("cons"),
    previousBid: money(250),
    newHighBid: money(275),
    currencyCode: CURRENCY,
    outbidAt: at(ctx),
  })),
  auctionEvent("guide", "auction.auction_ended", "Auction completed", (ctx) => ({
    auctionId: ctx.id("auction"),
    experienceId: ctx.id("exp"),
    winnerId: ctx.id("cons"),
    finalBid: money(500),
    currencyCode: CURRENCY,
    totalBids: 145,
    endedAt: at(ctx),
  })),
  auctionEvent("guide", "auction.winner_notified", "Winner notified", (ctx) => ({
    auctionId: ctx.id("auction"),
    experienceId: ctx.id("exp"),
    consumerId: ctx.id("cons"),
    notifiedAt: at(ctx),
  })),
];

// ---------------------------------------------------------------- order
const orderEvent = eventsOf("order");
const ORDER_TOTAL = money(149.99);

export const ORDER_EVENTS: EventType[] = [
  orderEvent("reference", "order.created", "New order created", (ctx) => ({
    orderId: ctx.id("order"),
    consumerId: ctx.id("cons"),
    experienceId: ctx.id("exp"),
    sequenceId: ctx.id("seq"),
    createdAt: at(ctx),
    amount: ORDER_TOTAL,
    currencyCode: CURRENCY,
    items: [{ productId: ctx.id("prod"), variantId: ctx.id("var"), quantity: 1 }],
  })),
  orderEvent("reference", "order.completed", "Order completed", (ctx) => ({
    orderId: ctx.id("order"),
    consumerId: ctx.id("cons"),
    completedAt: at(ctx),
    amount: ORDER_TOTAL,
    currencyCode: CURRENCY,
  })),
  orderEvent("reference", "order.cancelled", "Order was cancelled", (ctx) => ({
    orderId: ctx.id("order"),
    consumerId: ctx.id("cons"),
    cancelledAt: at(ctx),
    reason: "customer_requested",
  })),

  orderEvent("planned", "order.paid", "Order payment confirmed", (ctx) => ({
    orderId: ctx.id("order"),
    consumerId: ctx.id("cons"),
    paidAt: at(ctx),
    amount: ORDER_TOTAL,
    currencyCode: CURRENCY,
  })),
  orderEvent("planned", "order.fulfilled", "Order marked as fulfilled", (ctx) => ({
    orderId: ctx.id("order"),
    consumerId: ctx.id("cons"),
    fulfilledAt: at(ctx),
  })),
];

// ---------------------------------------------------------------- consumer
const consumerEvent = eventsOf("consumer");

export const CONSUMER_EVENTS: EventType[] = [
  consumerEvent("reference", "consumer.created", "New consumer created", (ctx) => ({
    consumerId: ctx.id("cons"),
    email: "customer@example.com",
    phone: null,
    fullName: "John Doe",
    createdAt: at(ctx),
    source: "otp_login",
  })),
  consumerEvent("reference", "consumer.updated", "Consumer profile updated", (ctx) => ({
    consumerId: ctx.id("cons"),
    updatedAt: at(ctx),
    changedFields: ["fullName", "metadata"],
  })),

  // The guide subscribes to these two but documents neither; the shapes follow its other events.
  consumerEvent("guide", "consumer.authenticated", "Consumer signed in", (ctx) => ({
    consumerId: ctx.id("cons"),
    method: "otp",
    authenticatedAt: at(ctx),
  })),
  consumerEvent("guide", "consumer.linked", "Consumer linked to an external customer account", (ctx) => ({
    consumerId: ctx.id("cons"),
    platform: "shopify",
    externalCustomerId: "7654321098",
    linkedAt: at(ctx),
  })),

  consumerEvent("planned", "consumer.deleted", "Consumer removed", (ctx) => ({
    consumerId: ctx.id("cons"),
    deletedAt: at(ctx),
  })),
];

// ---------------------------------------------------------------- distribution
const distributionEvent = eventsOf("distribution");

/** As in the reference, a distribution's id is its queue's (draw's, auction's) id. */
function distributionIds(ctx: SampleContext) {
  return {
    distributionId: ctx.id("queue"),
    distributionType: "queue",
    sequenceId: ctx.id("seq"),
    experienceId: ctx.id("exp"),
  };
}

/** The planned page's example payload: consumer, distribution, experience and product ids. */
function plannedDistributionIds(ctx: SampleContext, distributionType: "queue" | "draw" | "auction") {
  return {
    consumerId: ctx.id("cons"),
    distributionId: ctx.id(distributionType),
    distributionType,
    experienceId: ctx.id("exp"),
    productId: ctx.id("prod"),
  };
}

export const DISTRIBUTION_EVENTS: EventType[] = [
  distributionEvent("reference", "distribution.updated", "Distribution timing/settings changed", (ctx) => ({
    ...distributionIds(ctx),
    updatedAt: at(ctx),
    changedFields: ["openAt", "closeAt"],
  })),
  distributionEvent("reference", "distribution.opened", "Distribution is now open", (ctx) => ({
    ...distributionIds(ctx),
    openedAt: at(ctx),
  })),
  distributionEvent("reference", "distribution.closed", "Distribution has closed", (ctx) => ({
    ...distributionIds(ctx),
    closedAt: at(ctx),
    totalParticipants: 5420,
  })),

  distributionEvent("planned", "distribution.joined", "Consumer joined queue/draw", (ctx) => ({
    ...plannedDistributionIds(ctx, "queue"),
    joinedAt: at(ctx),
  })),
  distributionEvent("planned", "distribution.admitted", "Consumer admitted from queue", (ctx) => ({
    ...plannedDistributionIds(ctx, "queue"),
    admittedAt: at(ctx),
  })),
  distributionEvent("planned", "distribution.winner_selected", "Draw winner selected", (ctx) => ({
    ...plannedDistributionIds(ctx, "draw"),
    selectedAt: at(ctx),
  })),
  distributionEvent("planned", "distribution.bid_placed", "Auction bid received", (ctx) => ({
    ...plannedDistributionIds(ctx, "auction"),
    bidId: ctx.id("bid"),
    amount: money(250),
    currencyCode: CURRENCY,
    placedAt: at(ctx),
  })),
  distributionEvent("planned", "distribution.completed", "Consumer completed checkout", (ctx) => ({
    ...plannedDistributionIds(ctx, "queue"),
    orderId: ctx.id("order"),
    completedAt: at(ctx),
  })),
];

// ---------------------------------------------------------------- experience
const experienceEvent = eventsOf("experience");
const PAUSED_SECONDS = 300;

export const EXPERIENCE_EVENTS: EventType[] = [
  experienceEvent("guide", "experience.started", "Experience went live", (ctx) => ({
    experienceId: ctx.id("exp"),
    type: "queue",
    startedAt: at(ctx),
  })),
  experienceEvent("guide", "experience.ended", "Experience concluded", (ctx) => ({
    experienceId: ctx.id("exp"),
    endedAt: at(ctx),
    totalParticipants: 5420,
  })),
  experienceEvent("guide", "experience.paused", "Experience paused", (ctx) => ({
    experienceId: ctx.id("exp"),
    reason: "inventory_check",
    pausedAt: at(ctx),
  })),
  // pausedDuration is in seconds, like the reference's waitTimeSeconds.
  experienceEvent("guide", "experience.resumed", "Experience resumed", (ctx) => ({
    experienceId: ctx.id("exp"),
    pausedAt: at(ctx, -PAUSED_SECONDS),
    resumedAt: at(ctx),
    pausedDuration: PAUSED_SECONDS,
  })),

  experienceEvent("planned", "experience.created", "New experience created", (ctx) => ({
    experienceId: ctx.id("exp"),
    name: "Winter Sneaker Drop",
    type: "queue",
    createdAt: at(ctx),
  })),
  experienceEvent("planned", "experience.activated", "Experience went live", (ctx) => ({
    experienceId: ctx.id("exp"),
    activatedAt: at(ctx),
  })),
  experienceEvent("planned", "experience.completed", "Experience finished", (ctx) => ({
    experienceId: ctx.id("exp"),
    completedAt: at(ctx),
  })),
  experienceEvent("planned", "experience.cancelled", "Experience cancelled", (ctx) => ({
    experienceId: ctx.id("exp"),
    reason: "event_postponed",
    cancelledAt: at(ctx),
  })),
];
