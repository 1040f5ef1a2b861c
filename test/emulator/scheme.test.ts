import { describe, expect, it } from "vitest";
import { stateProblem } from "../../src/emulator/state-shape.js";
import { checkCreateEndpoint, checkUpdateEndpoint } from "../../src/emulator/validate.js";

// An endpoint's signing scheme in the emulator: checked on create/update, kept in its state.

const endpoint = {
  id: "we_a",
  url: "https://example.com/h",
  events: ["order.created"],
  description: null,
  enabled: true,
  secret: "whsec_abcdefghij",
  createdAt: "2026-11-30T00:00:00.000Z",
  updatedAt: "2026-11-30T00:00:00.000Z",
};
const base = { url: "https://example.com/h", events: ["order.created"] };

describe("endpoint schemes", () => {
  it("create and update take every signing scheme and refuse others (422) or other types (400)", () => {
    for (const scheme of ["v1", "sha256", "hex", "standard"]) {
      expect(checkCreateEndpoint({ ...base, scheme }).ok).toBe(true);
      expect(checkUpdateEndpoint({ scheme }).ok).toBe(true);
    }
    expect(checkCreateEndpoint({ ...base, scheme: "v2" })).toMatchObject({ ok: false, status: 422, fields: { scheme: "must be one of v1, sha256, hex, standard" } });
    expect(checkUpdateEndpoint({ scheme: 1 })).toMatchObject({ ok: false, status: 400, fields: { scheme: "must be a string" } });
  });

  it("standard needs a supplied secret to be whsec_ + base64", () => {
    expect(checkCreateEndpoint({ ...base, scheme: "standard", secret: "whsec_MfKQ9r8GKYqrTz3P0bEGfVqKjL2mNoPq" }).ok).toBe(true);
    expect(checkCreateEndpoint({ ...base, scheme: "standard", secret: "whsec_not-base64_but-long-enough" })).toMatchObject({
      ok: false,
      status: 422,
      fields: { secret: "must be whsec_ followed by base64 for the standard scheme" },
    });
    // The other schemes key with the whole string.
    expect(checkCreateEndpoint({ ...base, scheme: "v1", secret: "whsec_not-base64_but-long-enough" }).ok).toBe(true);
  });

  it("stored state may lack a scheme (written before schemes) but not hold an unknown one", () => {
    const state = (e: object) => ({ version: 1, endpoints: [e], deliveries: {} });
    expect(stateProblem(state(endpoint))).toBeUndefined();
    expect(stateProblem(state({ ...endpoint, scheme: "standard" }))).toBeUndefined();
    expect(stateProblem(state({ ...endpoint, scheme: "v9" }))).toBe("endpoints[0] has an unknown scheme (one of v1, sha256, hex, standard)");
  });
});
