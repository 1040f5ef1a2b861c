import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { usageError, failure } from "../errors.js";
import { escapeControl } from "../terminal/escape.js";
import { type CommandContext, examples, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

const GETTABLE = ["apiKey", "apiBase", "profile", "configFile"] as const;
const SETTABLE = ["apiBase", "apiKey"] as const;

export function registerConfig(program: Command, ctx: CommandContext): void {
  const config = program
    .command("config")
    .description("show and change saved settings (profiles, API base, API key)")
    .addHelpText(
      "after",
      "\nPrecedence: a flag beats the environment (FANFARE_SECRET_KEY, FANFARE_API_BASE, FANFARE_PROFILE),\n" +
        "which beats the saved profile, which beats the default.\n" +
        examples([
          ["fanfare config list", "every setting in effect and where it comes from"],
          ["fanfare config get apiBase", "one value, for scripts"],
          ["fanfare config set apiBase http://127.0.0.1:8787/api --profile local", "point a profile at the emulator"],
        ]),
    );

  config
    .command("list")
    .description("every setting in effect (keys masked) and the saved profiles")
    .addHelpText("after", examples([["fanfare config list --json", "as JSON"]]))
    .action(runWith(ctx, listConfig));

  config
    .command("get")
    .description(`print one setting in effect: ${GETTABLE.join(", ")}`)
    .argument("<key>", GETTABLE.join(" | "))
    .option("--show-secret", "print the API key in full (it is masked otherwise)")
    .option("--reveal", "same as --show-secret")
    .addHelpText(
      "after",
      examples([
        ["fanfare config get apiBase", "the admin API base URL in use"],
        ['curl -H "Authorization: Bearer $(fanfare config get apiKey --show-secret)" …', "use the saved key in a script"],
      ]),
    )
    .action(runWith(ctx, getConfig));

  config
    .command("set")
    .description(`save a setting in the profile (--profile): ${SETTABLE.join(", ")}`)
    .argument("<key>", SETTABLE.join(" | "))
    .argument("<value>", "the value; for apiKey, - reads it from stdin")
    .addHelpText(
      "after",
      "\n`fanfare login` is the better way to save a key: it checks the key first.\n" +
        examples([
          ["fanfare config set apiBase http://127.0.0.1:8787/api", "use a local emulator by default"],
          ['printf %s "$KEY" | fanfare config set apiKey - --profile ci', "save a key without checking it"],
        ]),
    )
    .action(runWith(ctx, setConfig));
}

export async function listConfig(options: GlobalOptions, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const { explainSettings } = await import("../config/settings.js");
  const { readConfig } = await import("../config/store.js");
  const { maskSecret } = await import("../config/mask.js");
  const s = await explainSettings(options, deps.env);
  const data = await readConfig(deps.env);
  const profiles = Object.fromEntries(
    Object.entries(data.profiles ?? {}).map(([name, p]) => [
      name,
      { apiKey: p?.apiKey ? maskSecret(p.apiKey) : null, apiBase: p?.apiBase ?? null },
    ]),
  );
  const listing = {
    profile: s.profile,
    profileSource: s.profileSource,
    apiKey: s.apiKey ? maskSecret(s.apiKey) : null,
    apiKeySource: s.apiKeySource,
    apiBase: s.apiBase,
    apiBaseSource: s.apiBaseSource,
    localSecret: data.localSecret ? maskSecret(data.localSecret) : null,
    configFile: s.configFile,
    profiles,
  };
  if (out.json) {
    out.printJson(listing);
    return;
  }
  const { renderFields, renderTable } = await import("../api/format.js");
  const e = escapeControl;
  const from = (source: string | null) => out.style.dim(`(${source ?? "not set"})`);
  // Values come from a file anyone may have edited by hand, and from the environment: escaped here,
  // at print time, so an ESC in a saved apiBase cannot drive the terminal (--json: safeJson).
  out.print(
    renderFields(
      [
        ["profile", `${e(listing.profile)} ${from(listing.profileSource)}`],
        ["apiKey", `${e(listing.apiKey ?? "—")} ${from(listing.apiKeySource)}`],
        ["apiBase", `${e(listing.apiBase)} ${from(listing.apiBaseSource)}`],
        ["localSecret", listing.localSecret !== null ? e(listing.localSecret) : out.style.dim("— (made by the first `listen`)")],
        ["configFile", e(listing.configFile)],
      ],
      out.style,
    ).join("\n"),
  );
  const names = Object.keys(profiles);
  if (names.length > 0) {
    out.print();
    out.print(
      renderTable(
        ["PROFILE", "API KEY", "API BASE"],
        names.map((n) => [e(n), e(profiles[n]!.apiKey ?? "—"), profiles[n]!.apiBase !== null ? e(profiles[n]!.apiBase!) : out.style.dim("(default)")]),
        out.style,
      ).join("\n"),
    );
  }
}

export async function getConfig(
  options: GlobalOptions & { showSecret?: boolean; reveal?: boolean; key: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { key } = options;
  const out = outputOf(options, deps);
  if (!(GETTABLE as readonly string[]).includes(key)) {
    throw usageError(`unknown setting "${key}"`, await settingHint(key, GETTABLE, "settings"), "unknown_setting");
  }
  const { explainSettings } = await import("../config/settings.js");
  const { maskSecret } = await import("../config/mask.js");
  const s = await explainSettings(options, deps.env);
  let value: string | null;
  let source: string | null;
  switch (key) {
    case "apiKey":
      value = s.apiKey && !(options.showSecret || options.reveal) ? maskSecret(s.apiKey) : s.apiKey;
      source = s.apiKeySource;
      break;
    case "apiBase":
      [value, source] = [s.apiBase, s.apiBaseSource];
      break;
    case "profile":
      [value, source] = [s.profile, s.profileSource];
      break;
    default:
      [value, source] = [s.configFile, null];
  }
  if (value === null) {
    throw failure(`${key} is not set (profile "${s.profile}")`, "run `fanfare login`, or set FANFARE_SECRET_KEY", "not_set");
  }
  if (out.json) out.printJson({ key, value, source, profile: s.profile });
  else {
    // A hand-edited config file may hold anything: escaped like every value from outside.
    out.print(escapeControl(value));
  }
}

export async function setConfig(
  options: GlobalOptions & { key: string; value: string },
  deps: CommandDeps,
): Promise<number | void> {
  const { key, value } = options;
  const out = outputOf(options, deps);
  if (!(SETTABLE as readonly string[]).includes(key)) {
    throw usageError(`"${key}" cannot be set`, await settingHint(key, SETTABLE, "settable"), "unknown_setting");
  }
  const { checkApiBase, checkApiKey, resolveProfileName } = await import("../config/settings.js");
  const { checkProfileName, updateConfig } = await import("../config/store.js");
  const { maskSecret } = await import("../config/mask.js");
  const profile = checkProfileName(resolveProfileName(options, deps.env).name);
  let stored: string;
  let shown: string;
  if (key === "apiBase") {
    stored = shown = checkApiBase(value.trim(), "value");
  } else {
    if (value === "-") {
      const { readAllText } = await import("../terminal/input.js");
      stored = (await readAllText(deps.stdin)).trim();
    } else {
      out.warn("a key on the command line is visible in `ps` and shell history; prefer `fanfare login`");
      stored = value.trim();
    }
    stored = checkApiKey(stored, "apiKey", "pass the key alone, on one line, as the dashboard shows it");
    shown = maskSecret(stored);
  }
  await updateConfig((data) => {
    const profiles = (data.profiles ??= {});
    profiles[profile] = { ...(Object.hasOwn(profiles, profile) ? profiles[profile] : {}), [key]: stored };
  }, deps.env);
  // Both checks refuse control characters, so what is shown is safe as it is.
  if (out.json) out.printJson({ profile, key, value: shown });
  else out.print(`saved ${key} = ${shown} in profile "${profile}"`);
}

/** "did you mean apiKey?" by the closest name (case and typos forgiven, as for event names), then the list. */
async function settingHint(key: string, names: readonly string[], listName: string): Promise<string> {
  const { closestNames } = await import("../events/suggest.js");
  const [closest] = closestNames(key, names, 1);
  const list = `${listName}: ${names.join(", ")}`;
  return closest ? `did you mean ${closest}? (${list})` : list;
}
