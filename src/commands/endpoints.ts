import type { Command } from "commander";
import { escapeControl as e } from "../terminal/escape.js";
import type { GlobalOptions } from "../config/globals.js";
import { failure, usageError } from "../errors.js";
import { assertSecretFitsScheme, parseSignatureScheme, SECRET_ENV, SIGNATURE_SCHEMES } from "../signing/options.js";
import type { Output } from "../terminal/output.js";
import { stripAnsi } from "../terminal/style.js";
import { type CommandContext, collect, commaList, examples, runWith } from "./context.js";
import { apiCommand } from "./api-command.js";
import type { CommandDeps } from "./deps.js";

interface CreateOptions {
  url: string;
  events: string[];
  description?: string;
  disabled?: boolean;
  secret?: string;
  scheme?: string;
}

interface UpdateOptions {
  url?: string;
  events?: string[];
  description?: string;
  enable?: boolean;
  disable?: boolean;
  scheme?: string;
}

export function registerEndpoints(webhooks: Command, ctx: CommandContext): void {
  const endpoints = webhooks
    .command("endpoints")
    .description("manage webhook endpoints through the admin API (needs an API key or the emulator)")
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks endpoints list", "every endpoint of the account"],
        [
          "fanfare webhooks endpoints create --url https://example.com/webhooks --events draw.consumer.won,order.created",
          "add an endpoint; its signing secret is printed once",
        ],
        ["fanfare webhooks endpoints test we_123 draw.consumer.won", "send a test event"],
      ]),
    );

  endpoints
    .command("list")
    .description("list endpoints (secrets masked)")
    .addHelpText("after", examples([["fanfare webhooks endpoints list --json | jq -r '.[].id'", "ids for a script"]]))
    .action(runWith(ctx, listEndpoints));

  endpoints
    .command("create")
    .description("create an endpoint; prints its signing secret once, in full")
    .requiredOption("--url <url>", "where deliveries go (https; http only to localhost)")
    .requiredOption("--events <a,b>", "event types to subscribe to (comma list, repeatable)", commaList)
    .option("--description <text>", "a note for people")
    .option("--disabled", "create it paused")
    .option("--secret <whsec_…>", "use this signing secret instead of a generated one")
    .option("--scheme <scheme>", `how deliveries are signed: ${SIGNATURE_SCHEMES.join(" | ")} (default: v1)`)
    .addHelpText(
      "after",
      "\nThe signing secret goes to stdout alone (everything else to stderr), so it can be captured;\n" +
        "later output shows it masked. With --json, the endpoint with its secret is printed.\n" +
        examples([
          [
            "fanfare webhooks endpoints create --url https://example.com/hooks --events draw.consumer.won",
            "subscribe to one event",
          ],
          [
            "SECRET=$(fanfare webhooks endpoints create --url https://example.com/hooks --events order.created,order.completed)",
            "keep the secret in a variable",
          ],
          ["fanfare webhooks endpoints create --url https://example.com/hooks --events order.created --json | jq -r .id", "the new id"],
          [
            "fanfare webhooks endpoints create --url https://example.com/hooks --events order.created --scheme standard",
            "sign with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature)",
          ],
        ]),
    )
    .action(runWith(ctx, createEndpoint));

  endpoints
    .command("get")
    .description("show one endpoint (secret masked)")
    .argument("<id>", "endpoint id (we_…)")
    .addHelpText("after", examples([["fanfare webhooks endpoints get we_123", "url, events, status, masked secret"]]))
    .action(runWith(ctx, getEndpoint));

  endpoints
    .command("update")
    .description("change an endpoint's URL, events, description or state")
    .argument("<id>", "endpoint id (we_…)")
    .option("--url <url>", "new delivery URL")
    .option("--events <a,b>", "replace the subscribed event types (comma list, repeatable)", commaList)
    .option("--description <text>", "new description")
    .option("--enable", "resume deliveries")
    .option("--disable", "pause deliveries")
    .option("--scheme <scheme>", `how deliveries are signed: ${SIGNATURE_SCHEMES.join(" | ")}`)
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks endpoints update we_123 --events draw.consumer.won,draw.consumer.lost", "change the events"],
        ["fanfare webhooks endpoints update we_123 --url https://new.example.com/hooks --enable", "move and resume"],
        ["fanfare webhooks endpoints update we_123 --scheme standard", "sign the Standard Webhooks way from now on"],
      ]),
    )
    .action(runWith(ctx, updateEndpoint));

  endpoints
    .command("delete")
    .description("delete an endpoint (asks first on a terminal)")
    .argument("<id>", "endpoint id (we_…)")
    .option("-y, --yes", "do not ask (required without a terminal)")
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks endpoints delete we_123", "asks for confirmation"],
        ["fanfare webhooks endpoints delete we_123 --yes", "in a script"],
      ]),
    )
    .action(runWith(ctx, deleteEndpoint));

  for (const [name, enabled] of [
    ["pause", false],
    ["resume", true],
  ] as const) {
    endpoints
      .command(name)
      .description(enabled ? "resume deliveries to an endpoint" : "stop deliveries to an endpoint until resumed")
      .argument("<id>", "endpoint id (we_…)")
      .addHelpText("after", examples([[`fanfare webhooks endpoints ${name} we_123`, `${name} it`]]))
      .action(runWith(ctx, (options: GlobalOptions & { id: string }, deps) => setEndpointEnabled({ ...options, enabled }, deps)));
  }

  endpoints
    .command("rotate-secret")
    .description("replace an endpoint's signing secret (the old one stops verifying at once); prints the new one")
    .argument("<id>", "endpoint id (we_…)")
    .addHelpText(
      "after",
      "\nThe new secret goes to stdout alone, so it can be captured; update your receiver first.\n" +
        examples([
          ["fanfare webhooks endpoints rotate-secret we_123", "print the new secret once"],
          ["NEW=$(fanfare webhooks endpoints rotate-secret we_123)", "capture it"],
        ]),
    )
    .action(runWith(ctx, rotateEndpointSecret));

  endpoints
    .command("health")
    .description("whether recent deliveries to an endpoint succeed")
    .argument("<id>", "endpoint id (we_…)")
    .addHelpText(
      "after",
      "\nExit codes: 0 healthy, 1 unhealthy (or the API failed), 2 bad input; so a script can gate on it.\n" +
        examples([
          ["fanfare webhooks endpoints health we_123", "success rate and last delivery"],
          ["fanfare webhooks endpoints health we_123 --json || echo unhealthy", "in a script: exit 1 when unhealthy"],
        ]),
    )
    .action(runWith(ctx, endpointHealth));

  endpoints
    .command("test")
    .description("send a test event to an endpoint through the platform (a real, signed delivery)")
    .argument("<id>", "endpoint id (we_…)")
    .argument("<event>", "event type, e.g. draw.consumer.won (see `fanfare webhooks events`)")
    .option("--set <path=value>", "override a field of the sample's data, e.g. data.position=5 (repeatable)", collect, [])
    .option("--data <file>", "merge a JSON object into the sample's data (- reads stdin)")
    .addHelpText(
      "after",
      "\nWaits for the first attempt (up to 35 s). Exit 0 when it succeeded, 1 when it failed or had not finished.\n" +
        examples([
          ["fanfare webhooks endpoints test we_123 draw.consumer.won", "a realistic sample"],
          ["fanfare webhooks endpoints test we_123 draw.consumer.won --set position=5", "with a field changed"],
        ]),
    )
    .action(runWith(ctx, testEndpoint));
}


/** Event names are checked against the catalog before any request, so a typo is a usage error (2). */
async function checkEvents(names: string[]): Promise<string[]> {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  if (unique.length === 0) throw usageError("no event types given", "pass --events a,b (see `fanfare webhooks events`)", "missing_events");
  const { requireEventType } = await import("../events/catalog.js");
  for (const name of unique) requireEventType(name);
  return unique;
}

/** Only that it is a URL at all: which schemes and hosts are allowed is the API's call (a 422). */
function checkUrl(url: string): string {
  if (!URL.canParse(url)) {
    throw usageError(`--url "${url}" is not a URL`, "give a full URL, e.g. https://example.com/webhooks", "invalid_url");
  }
  return url;
}

function showSecretOnce(out: Output, secret: string): void {
  out.warn(`this signing secret is shown once, in full: store it now (e.g. as ${SECRET_ENV}); later output masks it`);
  out.print(e(secret));
}


export async function listEndpoints(options: GlobalOptions, deps: CommandDeps): Promise<number | void> {
  const { out, api, fmt } = await apiCommand(options, deps);
  const list = await api((c) => c.listEndpoints());
  if (out.json) return out.printJson(list.map(fmt.maskEndpoint));
  if (list.length === 0) {
    out.info("no endpoints yet");
    out.info(out.style.dim("hint: ") + "create one with `fanfare webhooks endpoints create --url URL --events a,b`");
    return;
  }
  out.print(fmt.endpointTable(list, out.style).join("\n"));
}

export async function createEndpoint(
  options: GlobalOptions & CreateOptions,
  deps: CommandDeps,
): Promise<number | void> {
  const { out, api, fmt } = await apiCommand(options, deps);
  const events = await checkEvents(options.events);
  checkUrl(options.url);
  if (options.secret !== undefined && !/^whsec_\S{8,}$/.test(options.secret)) {
    throw usageError("--secret must look like whsec_… (at least 8 characters after the prefix)", "omit it to get a generated secret", "invalid_secret");
  }
  const scheme = options.scheme === undefined ? undefined : parseSignatureScheme(options.scheme);
  if (scheme !== undefined && options.secret !== undefined) assertSecretFitsScheme(options.secret, scheme);
  const input = {
    url: options.url,
    events,
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.disabled ? { enabled: false } : {}),
    ...(options.secret !== undefined ? { secret: options.secret } : {}),
    ...(scheme !== undefined ? { scheme } : {}),
  };
  const endpoint = await api((c) => c.createEndpoint(input));
  if (out.json) return out.printJson(endpoint);
  out.info(`created endpoint ${e(endpoint.id)}`);
  const detail = fmt.endpointDetail(endpoint, out.style).filter((line) => !/^\S*secret\b/.test(stripAnsi(line)));
  out.info(detail.join("\n"));
  showSecretOnce(out, endpoint.secret);
}

export async function getEndpoint(options: GlobalOptions & { id: string }, deps: CommandDeps): Promise<number | void> {
  const { id } = options;
  const { out, api, fmt } = await apiCommand(options, deps);
  const endpoint = await api((c) => c.getEndpoint(id));
  if (out.json) return out.printJson(fmt.maskEndpoint(endpoint));
  out.print(fmt.endpointDetail(endpoint, out.style).join("\n"));
}

export async function updateEndpoint(
  options: GlobalOptions & UpdateOptions & { id: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { id } = options;
  if (options.enable && options.disable) {
    throw usageError("--enable and --disable contradict each other", "pass one of them");
  }
  const input = {
    ...(options.url !== undefined ? { url: checkUrl(options.url) } : {}),
    ...(options.events !== undefined ? { events: await checkEvents(options.events) } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.enable ? { enabled: true } : options.disable ? { enabled: false } : {}),
    ...(options.scheme !== undefined ? { scheme: parseSignatureScheme(options.scheme) } : {}),
  };
  if (Object.keys(input).length === 0) {
    throw usageError("nothing to update", "pass --url, --events, --description, --enable, --disable or --scheme");
  }
  const { out, api, fmt } = await apiCommand(options, deps);
  const endpoint = await api((c) => c.updateEndpoint(id, input));
  if (out.json) return out.printJson(fmt.maskEndpoint(endpoint));
  out.info(`updated endpoint ${e(endpoint.id)}`);
  out.print(fmt.endpointDetail(endpoint, out.style).join("\n"));
}

export async function deleteEndpoint(
  options: GlobalOptions & { yes?: boolean; id: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { id } = options;
  const { out, api } = await apiCommand(options, deps);
  if (!options.yes) {
    if (!deps.stdin.isTTY || !deps.stderr.isTTY) {
      throw usageError(`not deleting ${id} without confirmation`, "pass --yes to delete without a prompt", "confirmation_required");
    }
    const endpoint = await api((c) => c.getEndpoint(id));
    const { confirm } = await import("../config/prompt.js");
    if (!(await confirm(`Delete endpoint ${e(endpoint.id)} (${e(endpoint.url)})? [y/N] `, { input: deps.stdin, output: deps.stderr }))) {
      throw failure(`not deleted: ${id} is kept`, "answer y to delete it, or pass --yes to skip the question", "cancelled");
    }
  }
  await api((c) => c.deleteEndpoint(id));
  if (out.json) out.printJson({ id, deleted: true });
  else out.print(`deleted endpoint ${e(id)}`);
}

export async function rotateEndpointSecret(
  options: GlobalOptions & { id: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { id } = options;
  const { out, api } = await apiCommand(options, deps);
  const { secret } = await api((c) => c.rotateSecret(id));
  if (out.json) return out.printJson({ id, secret });
  out.info(`rotated the signing secret of ${e(id)}; the old secret no longer verifies`);
  showSecretOnce(out, secret);
}

export async function endpointHealth(
  options: GlobalOptions & { id: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { id } = options;
  const { out, api, fmt } = await apiCommand(options, deps);
  const health = await api((c) => c.health(id));
  if (out.json) out.printJson({ id, ...health });
  else out.print(fmt.healthDetail(id, health, out.style).join("\n"));
  // The answer is the point of the command: an unhealthy endpoint is a failed check (exit 1).
  return health.healthy ? 0 : 1;
}

export async function testEndpoint(
  options: GlobalOptions & { set: string[]; data?: string; id: string; event: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { id, event } = options;
  const [{ requireEventType }, { readDataFile }, { testRouteData }] = await Promise.all([
    import("../events/catalog.js"),
    import("../events/overrides.js"),
    import("../events/sample.js"),
  ]);
  const eventType = requireEventType(event.trim());
  const file = options.data === undefined ? undefined : await readDataFile(options.data, () => deps.stdin);
  const data = testRouteData(eventType, { set: options.set, data: file });
  const [{ out, api, fmt }, { awaitAttempt }] = await Promise.all([apiCommand(options, deps), import("../api/await-delivery.js")]);
  // The API may answer while the first attempt is still in flight: its outcome is what is reported.
  const delivery = await api(async (c) => {
    const sent = await c.sendTest(id, eventType.name, data);
    return awaitAttempt(sent, () => c.getDelivery(sent.endpointId, sent.id));
  });
  // Still pending after the wait is no success either: a gate must not pass a handler that hangs.
  const failed = delivery.status !== "succeeded";
  if (out.json) out.printJson(delivery);
  else {
    const code = fmt.attemptAnswerText(delivery, out.style);
    out.print(
      `sent ${e(delivery.eventType)} to ${e(delivery.endpointId)}: delivery ${e(delivery.id)} ${fmt.deliveryStatusText(delivery.status, out.style)} (${code})`,
    );
    out.info(out.style.dim(`details: fanfare webhooks deliveries get ${e(delivery.endpointId)} ${e(delivery.id)}`));
  }
  return failed ? 1 : 0;
}

export async function setEndpointEnabled(
  options: GlobalOptions & { id: string; enabled: boolean },
  deps: CommandDeps,
): Promise<void> {
  const { id, enabled } = options;
  const { out, api, fmt } = await apiCommand(options, deps);
  const endpoint = await api((c) => c.updateEndpoint(id, { enabled }));
  if (out.json) return out.printJson(fmt.maskEndpoint(endpoint));
  out.print(`${enabled ? "resumed" : "paused"} endpoint ${e(endpoint.id)} (${e(endpoint.url)})`);
}
