import { Box, Text } from "ink";
import { maskSecret } from "../../config/mask.js";
import { describeRoute } from "../routes.js";
import type { SessionInfo } from "../types.js";
import { TintedText } from "./tinted-text.js";

export interface SessionHeaderProps {
  info: SessionInfo;
  secretShown: boolean;
}

/**
 * Where deliveries come from and go, and the secret to verify them with (masked until `s`). The
 * loopback receiver comes last: it is the least interesting and the first cut on a narrow screen.
 *
 *   fanfare listen  connected  forwarding to http://localhost:3000/webhooks
 *   public https://quick-fox.trycloudflare.com  endpoint we_123  receiver http://127.0.0.1:43123/webhooks
 *   secret whsec_••••••••k3Jq (s shows)  events all
 */
export function SessionHeader({ info, secretShown }: SessionHeaderProps) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <TintedText tint="strong">fanfare listen</TintedText>
        {"  "}
        <TintedText tint="accent">{info.mode}</TintedText>
        {"  forwarding to "}
        <TintedText tint="strong">
          {(info.forwards ?? [{ pattern: null, url: info.forwardUrl }]).map((forward) => describeRoute(forward)).join(", ")}
        </TintedText>
      </Text>
      <Text wrap="truncate-end">
        <TintedText tint="dim">public </TintedText>
        {info.publicUrl ?? (info.mode === "local" ? "none (local mode)" : "none")}
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
