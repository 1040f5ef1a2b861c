import { Box, Text } from "ink";
import { maskSecret } from "../../config/mask.js";
import { escapeControl } from "../../terminal/escape.js";
import { noticeText, type SessionNotice } from "../notices.js";
import { describeRoute } from "../routes.js";
import type { SessionInfo } from "../types.js";
import { TintedText } from "./tinted-text.js";

interface SessionHeaderProps {
  info: SessionInfo;
  secretShown: boolean;
  /** The latest tunnel and app notices: a tunnel reconnecting or an app down shows in red. */
  notices?: readonly SessionNotice[];
}

/**
 * Where deliveries come from and go, and the secret to verify them with (masked until `s`). The
 * loopback receiver comes last: it is the least interesting and the first cut on a narrow screen.
 *
 *   fanfare listen  connected  forwarding to http://localhost:3000/webhooks
 *   public https://quick-fox.trycloudflare.com  endpoint we_123  receiver http://127.0.0.1:43123/webhooks
 *   secret whsec_••••••••k3Jq (s shows)  events all
 *
 * A tunnel being restarted takes the public URL's place ("tunnel reconnecting: …", red); an app
 * that is down is named after the targets ("app down: http://localhost:3000 (connection refused)").
 */
export function SessionHeader({ info, secretShown, notices = [] }: SessionHeaderProps) {
  let tunnel: Extract<SessionNotice, { kind: "tunnel" }> | null = null;
  const appsDown: Extract<SessionNotice, { kind: "app" }>[] = [];
  for (const notice of notices) {
    if (notice.kind === "tunnel") tunnel = notice;
    else if (notice.state === "down") appsDown.push(notice);
  }
  const publicUrl = tunnel?.state === "up" && tunnel.url ? tunnel.url : info.publicUrl;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <TintedText tint="strong">fanfare listen</TintedText>
        {"  "}
        <TintedText tint="accent">{info.mode}</TintedText>
        {/* Before the targets, which a narrow screen cuts: an app down must not be cut away. */}
        {appsDown.length > 0 ? (
          <TintedText tint="error">{"  " + appsDown.map((app) => escapeControl(noticeText(app))).join("; ")}</TintedText>
        ) : null}
        {"  forwarding to "}
        <TintedText tint="strong">
          {(info.forwards ?? [{ pattern: null, url: info.forwardUrl }]).map((forward) => describeRoute(forward)).join(", ")}
        </TintedText>
      </Text>
      <Text wrap="truncate-end">
        <TintedText tint="dim">public </TintedText>
        {tunnel?.state === "reconnecting" ? (
          <TintedText tint="error">{escapeControl(noticeText(tunnel))}</TintedText>
        ) : (
          (publicUrl ?? (info.mode === "local" ? "none (local mode)" : "none"))
        )}
        {info.endpointId ? (
          <>
            <TintedText tint="dim">{"  endpoint "}</TintedText>
            {info.endpointId}
          </>
        ) : null}
        <TintedText tint="dim">{"  receiver "}</TintedText>
        {info.receiverUrl}
      </Text>
      <Text wrap="truncate-end">
        <TintedText tint="dim">secret </TintedText>
        {secretShown ? info.secret : maskSecret(info.secret)}
        <TintedText tint="dim">{secretShown ? " (s hides)" : " (s shows)"}</TintedText>
        <TintedText tint="dim">{"  events "}</TintedText>
        {info.events.length > 0 ? info.events.join(",") : "all"}
      </Text>
    </Box>
  );
}
