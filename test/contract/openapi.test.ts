import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClient } from "../../src/api/client.js";
import { DELIVERY_STATUSES } from "../../src/api/types.js";
import { SIGNATURE_SCHEMES } from "../../src/signing/options.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { HANDLERS } from "../../src/emulator/handlers.js";
import { startReceiver, type Receiver } from "../emulator/helpers.js";
import { contractHttp } from "./http.js";
import { ContractChecker } from "./openapi.js";
import { parseYamlSubset } from "./yaml.js";

describe("the YAML subset reader", () => {
  it("reads mappings, lists, list items that are mappings, quoted and flow scalars", () => {
    const text = [
      "# a comment",
      "a: 1",
      "b:",
      "  - x",
      "  - name: y",
      "    in: path",
      '  - "q: \\"z\\""',
      "c:",
      "  d: [one, \"two\", 'th''ree']",
      "  e: []",
      '  "200":',
      "    f: true",
      "    g: null",
    ].join("\n");
    expect(parseYamlSubset(text)).toEqual({
      a: 1,
      b: ["x", { name: "y", in: "path" }, 'q: "z"'],
      c: { d: ["one", "two", "th'ree"], e: [], "200": { f: true, g: null } },
    });
  });

  it("refuses what it does not read, by line", () => {
    expect(() => parseYamlSubset("a: &x 1")).toThrow(/line 1: not in the supported subset/);
    expect(() => parseYamlSubset("a: |\n  text")).toThrow(/line 1/);
    expect(() => parseYamlSubset("a:\n  b: 1\n   c: 2")).toThrow(/line 3: unexpected indentation/);
    expect(() => parseYamlSubset("a: 1\na: 2")).toThrow(/duplicate key a/);
  });
});

describe("docs/admin-api.openapi.yaml", () => {
  const checker = new ContractChecker();

  it("is OpenAPI 3.1 with one operation per emulator route, and every schema compiles", () => {
    expect(checker.doc.openapi).toBe("3.1.0");
    expect(checker.operationIds().sort()).toEqual(Object.keys(HANDLERS).sort());
    for (const schema of Object.values(checker.doc.components.schemas)) expect(() => checker.validator(schema)).not.toThrow();
  });

  it("names the same delivery statuses and signing schemes as the code", () => {
    expect(checker.doc.components.schemas.DeliveryStatus.enum).toEqual([...DELIVERY_STATUSES]);
    expect(checker.doc.components.schemas.SignatureScheme.enum).toEqual([...SIGNATURE_SCHEMES]);
  });

  it("catches a difference in an answer, a request, a status and a query (the checks can fail)", () => {
    const delivery = { id: "whk_1", endpointId: "we_1", eventType: "order.created", status: "lost" };
    expect(checker.checkResponse({ method: "GET", url: "/api/webhooks/we_1/deliveries/whk_1", status: 200, responseBody: delivery }).join("\n"))
      .toMatch(/must have required property 'attempts'[\s\S]*body\/status must be equal to one of the allowed values/);
    expect(checker.checkResponse({ method: "GET", url: "/api/webhooks", status: 418, responseBody: {} })).toEqual([
      "GET /api/webhooks → 418: status 418 is not documented for listEndpoints",
    ]);
    expect(checker.checkRequest({ method: "POST", url: "/api/webhooks", requestBody: { url: "https://x", events: "a" } })[0])
      .toMatch(/request body\/events must be array/);
    expect(checker.checkRequest({ method: "GET", url: "/api/webhooks/we_1/deliveries?after=1&limit=0" })).toEqual([
      "GET /api/webhooks/we_1/deliveries?after=1&limit=0: query parameter after is not in the document",
      expect.stringMatching(/query parameter limit must be >= 1/),
    ]);
    expect(checker.checkRequest({ method: "PUT", url: "/api/webhooks/we_1" })[0]).toMatch(/PUT is not documented/);
    expect(checker.checkResponse({ method: "GET", url: "/api/webhooks", status: 429, responseBody: { error: { code: "rate_limited", message: "slow down" } }, responseHeaders: {} }))
      .toEqual(["GET /api/webhooks → 429: header Retry-After missing"]);
  });
});

describe("the client's requests and the emulator's answers, every route", () => {
  const KEY = "sk_test_openapiClient0123456789";
  let emulator: RunningEmulator;
  let receiver: Receiver;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [KEY], timeScale: 100_000 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await emulator?.close();
    await receiver?.close();
  });

  it("conform to the document, successes and errors alike", async () => {
    const contract = contractHttp();
    const client = createApiClient({ baseUrl: emulator.url, apiKey: KEY, http: contract.http, maxRetries: 0 });
    try {
      const created = await client.createEndpoint({ url: receiver.url, events: ["order.created"], description: "contract" });
      await client.listEndpoints();
      await client.getEndpoint(created.id);
      await client.updateEndpoint(created.id, { description: "changed", events: ["order.created", "draw.consumer.won"], scheme: "standard" });
      await client.health(created.id);
      const delivery = await client.sendTest(created.id, "order.created", { note: "hi" });
      await client.listDeliveries(created.id);
      await client.listDeliveries(created.id, { status: "succeeded", limit: 5, since: delivery.createdAt });
      await client.getDelivery(created.id, delivery.id);
      await client.redeliver(created.id, delivery.id);
      await client.rotateSecret(created.id);
      await expect(client.getDelivery(created.id, "whk_missing")).rejects.toThrow();
      await expect(client.createEndpoint({ url: "ftp://x", events: ["nope.never"] })).rejects.toThrow();
      await client.updateEndpoint(created.id, { enabled: false });
      await expect(client.sendTest(created.id, "order.created")).rejects.toThrow();
      await client.deleteEndpoint(created.id);
      await expect(client.getEndpoint(created.id)).rejects.toThrow();
    } finally {
      await client.close();
    }
    expect(contract.problems).toEqual([]);
    expect(contract.checked()).toBe(17);
  });
});
