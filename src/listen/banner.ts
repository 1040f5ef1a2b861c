import { SECRET_ENV } from "../signing/options.js";
import type { Style } from "../terminal/style.js";
import type { SessionInfo } from "./types.js";

interface BannerExtras {
  /** The endpoint is listen's own and is deleted on exit (false: reused with --endpoint). */
  temporaryEndpoint: boolean;
  /** Where the secret came from when it is not the session's own (a reused endpoint). */
  secretNote?: string;
  /** The live view follows (keys are explained there) rather than lines. */
  tui: boolean;
}

/**
 * What listen prints once at start, TUI or not: where deliveries arrive and go, and the signing
 * secret in full (the local app needs it to verify; the live view keeps it masked afterwards).
 *
 *   fanfare listen  local mode
 *     receiver  http://127.0.0.1:43123/webhooks
 *     forward   http://localhost:3000/webhooks
 *     secret    whsec_…   (export FANFARE_WEBHOOK_SECRET=whsec_… in your app)
 *   Ready. In another terminal: fanfare webhooks trigger draw.consumer.won
 */
export function bannerLines(info: SessionInfo, extras: BannerExtras, style: Style): string[] {
  const row = (label: string, value: string, note = ""): string =>
    `  ${style.dim(label.padEnd(9))} ${value}${note ? "  " + style.dim(note) : ""}`;
  const lines = [`${style.bold("fanfare listen")}  ${info.mode} mode`];
  lines.push(row("receiver", info.receiverUrl));
  if (info.mode === "connected") {
    lines.push(row("public", info.publicUrl ?? "none", info.publicUrl ? "(cloudflared quick tunnel)" : "(--tunnel none)"));
    if (info.endpointId) {
      lines.push(
        row("endpoint", info.endpointId, extras.temporaryEndpoint ? "(temporary: deleted on exit)" : "(reused: its URL is restored on exit)"),
      );
    }
    lines.push(row("events", info.events.length > 0 ? info.events.join(",") : "all"));
  }
  for (const forward of info.forwards ?? [{ pattern: null, url: info.forwardUrl }]) {
    lines.push(row("forward", forward.url, forward.pattern === null ? "" : `(${forward.pattern})`));
  }
  if (info.secret) {
    lines.push(row("secret", info.secret, extras.secretNote ?? `(your app verifies with it: ${SECRET_ENV})`));
  } else {
    lines.push(row("secret", "unknown", extras.secretNote ?? "(pass --secret to verify signatures)"));
  }
  const next = info.mode === "local" || info.endpointId ? `Ready. In another terminal: ${nextStep(info)}` : "Ready.";
  lines.push(style.green(next) + (extras.tui ? "" : style.dim("  (Ctrl-C stops)")));
  return lines;
}

/**
 * The one thing to try next, the same in the banner and in the live view's empty list: a signed
 * sample through `trigger`, which in connected mode goes through the platform (`--endpoint`), so the
 * whole path (platform → tunnel → listen → app) is exercised.
 */
export function nextStep(info: Pick<SessionInfo, "mode" | "endpointId">): string {
  if (info.mode === "connected" && info.endpointId) return `fanfare webhooks trigger draw.consumer.won --endpoint ${info.endpointId}`;
  return "fanfare webhooks trigger draw.consumer.won";
}

/** The same facts for --json, as one object. */
export function bannerJson(info: SessionInfo, extras: BannerExtras): Record<string, unknown> {
  return {
    listening: {
      mode: info.mode,
      receiverUrl: info.receiverUrl,
      publicUrl: info.publicUrl,
      forwardUrl: info.forwardUrl,
      forwards: info.forwards ?? [{ pattern: null, url: info.forwardUrl }],
      endpointId: info.endpointId,
      temporaryEndpoint: info.endpointId ? extras.temporaryEndpoint : null,
      events: info.events,
      secret: info.secret || null,
    },
  };
}
