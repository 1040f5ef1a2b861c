import { Box } from "ink";
import { render, cleanup } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import type { SessionNotice } from "../../../src/listen/notices.js";
import { SessionHeader } from "../../../src/listen/view/session-header.js";
import { stripAnsi } from "../../../src/terminal/style.js";
import { SESSION } from "./fixtures.js";

afterEach(() => cleanup());

const connected = { ...SESSION, mode: "connected" as const, publicUrl: "https://first.trycloudflare.com", endpointId: "we_1" };
const at = 0;

function frame(notices: SessionNotice[], info = connected): string {
  const view = render(
    <Box width={200}>
      <SessionHeader info={info} secretShown={false} notices={notices} />
    </Box>,
  );
  return stripAnsi(view.lastFrame() ?? "");
}

describe("SessionHeader with notices", () => {
  it("shows every --forward with its pattern", () => {
    const text = frame([], {
      ...connected,
      forwards: [
        { pattern: "draw.*", url: "http://localhost:3000/draws" },
        { pattern: null, url: "http://localhost:4000/all" },
      ],
    });
    expect(text).toContain("forwarding to http://localhost:3000/draws (draw.*), http://localhost:4000/all");
  });

  it("puts a reconnecting tunnel in the public URL's place, then the new URL", () => {
    expect(frame([])).toContain("public https://first.trycloudflare.com");
    const down = frame([{ kind: "tunnel", state: "reconnecting", url: null, reason: "cloudflared was killed by SIGKILL", at }]);
    expect(down).toContain("public tunnel reconnecting: cloudflared was killed by SIGKILL");
    const back = frame([{ kind: "tunnel", state: "up", url: "https://second.trycloudflare.com", reason: null, at }]);
    expect(back).toContain("public https://second.trycloudflare.com");
  });

  it("names an app that is down after the targets, escaped, and nothing once it is back", () => {
    const down = frame([{ kind: "app", state: "down", target: "http://localhost:3000", reason: "connection\u001b[2J refused", at }]);
    expect(down).toContain("connected  app down: http://localhost:3000 (connection\\x1b[2J refused)  forwarding to");
    const back = frame([{ kind: "app", state: "up", target: "http://localhost:3000", reason: null, at }]);
    expect(back).not.toContain("app down");
  });
});
