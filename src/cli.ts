import { Command, CommanderError, Help, type Argument, type Option } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { CliError, ExitCode, isCliError, usageError } from "./errors.js";
import { Output } from "./terminal/output.js";
import { commandContext, examples, globalsOf, type CommandContext } from "./commands/context.js";
import { createDeps, type CommandDeps } from "./commands/deps.js";

type Register = (parent: Command, ctx: CommandContext) => void;

/**
 * Each command group's module, loaded only when its command runs (all of them for help and for
 * anything unrecognised), so start-up pays for one group rather than every one.
 */
const TOP_LEVEL: Record<string, () => Promise<Register>> = {
  login: async () => (await import("./commands/login.js")).registerLogin,
  logout: async () => (await import("./commands/login.js")).registerLogin,
  config: async () => (await import("./commands/config.js")).registerConfig,
  completion: async () => (await import("./commands/completion.js")).registerCompletion,
  mcp: async () => (await import("./commands/mcp.js")).registerMcp,
};
/** Commands that read the whole program (the completion script), so every group is registered for them. */
const NEEDS_EVERY_GROUP = new Set(["completion"]);
const WEBHOOKS: Record<string, () => Promise<Register>> = {
  events: async () => (await import("./commands/events.js")).registerEvents,
  sample: async () => (await import("./commands/events.js")).registerEvents,
  trigger: async () => (await import("./commands/trigger.js")).registerTrigger,
  verify: async () => (await import("./commands/verify.js")).registerVerify,
  check: async () => (await import("./commands/check.js")).registerCheck,
  listen: async () => (await import("./commands/listen.js")).registerListen,
  endpoints: async () => (await import("./commands/endpoints.js")).registerEndpoints,
  deliveries: async () => (await import("./commands/deliveries.js")).registerDeliveries,
  emulator: async () => (await import("./commands/emulator.js")).registerEmulator,
  types: async () => (await import("./commands/types.js")).registerTypes,
  replay: async () => (await import("./commands/replay.js")).registerReplay,
};
const GLOBALS_WITH_VALUE = new Set(["--profile", "--api-base", "--api-key"]);

/**
 * argv past the program name, without global options and their values: the command words and
 * arguments, and the help flags when `helpFlags` asks for them.
 */
function argvWords(argv: string[], helpFlags = false): string[] {
  const words: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (GLOBALS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-") || (helpFlags && (arg === "-h" || arg === "--help"))) words.push(arg);
  }
  return words;
}

/** The first two command words of argv (`webhooks verify`), or none when help is asked for. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (const word of argvWords(argv, true)) {
    if (word === "-h" || word === "--help" || word === "help") return [];
    words.push(word);
    if (words.length === 2) break;
  }
  return words;
}

async function registerAll(parent: Command, ctx: CommandContext, loaders: Array<() => Promise<Register>>): Promise<void> {
  const registers = await Promise.all(loaders.map((load) => load()));
  for (const register of new Set(registers)) register(parent, ctx);
}

export function version(): string {
  return packageJson.version;
}

export async function buildProgram(argv: string[], ctx: CommandContext): Promise<Command> {
  const { stdout } = ctx.deps;
  const words = commandWords(argv);
  const [group = "", sub = ""] = words;
  const versionOnly = words.length === 0 && argv.some((a) => a === "-v" || a === "--version");
  const onlyTop = NEEDS_EVERY_GROUP.has(group) ? undefined : TOP_LEVEL[group];
  const onlyWebhooks = group === "webhooks" ? WEBHOOKS[sub] : undefined;
  const everything = !onlyTop && !onlyWebhooks && !versionOnly;

  const program = new Command("fanfare");
  program
    .description("The Fanfare webhooks CLI: listen, trigger, verify and manage webhooks.")
    .version(version(), "-v, --version", "print the version")
    .option("--json", "machine-readable output (JSON / NDJSON)")
    .option("--no-color", "no colours (also NO_COLOR=1)")
    .option("--verbose", "log what happens underneath (requests, timings)")
    .option("--profile <name>", "config profile to use (env FANFARE_PROFILE)")
    .option("--api-base <url>", "admin API base URL (env FANFARE_API_BASE)")
    .option("--api-key <key>", "API key (prefer env FANFARE_SECRET_KEY: argv is visible in ps)")
    .helpOption("-h, --help", "show help")
    .configureHelp(HELP)
    // Subcommands copy this when they are created, so it is set before any is registered.
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      // Commander writes to its error stream only the help it shows for a group named without a
      // subcommand (`fanfare webhooks`): that help is what was asked for, so it goes to stdout.
      writeErr: (text) => stdout.write(text),
      // Parse errors are printed by handleError, like every other error (plain or --json).
      outputError: () => {},
      getOutHelpWidth: () => (stdout.isTTY ? (stdout.columns ?? 80) : 80),
      getErrHelpWidth: () => (stdout.isTTY ? (stdout.columns ?? 80) : 80),
    })
    .exitOverride()
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks listen --forward localhost:3000", "receive deliveries on this machine"],
        ["fanfare webhooks trigger draw.consumer.won", "send a signed sample to the running listen"],
        ["fanfare webhooks events", "every documented event type"],
        ["fanfare webhooks verify --secret $S --payload body.json --signature $H", "check a signature"],
      ]),
    );

  if (onlyTop) (await onlyTop())(program, ctx);
  else if (everything) await registerAll(program, ctx, Object.values(TOP_LEVEL));

  const webhooks = program
    .command("webhooks")
    .description("send, receive, verify and manage Fanfare webhooks")
    .addHelpText(
      "after",
      examples([
        ["fanfare webhooks listen --forward localhost:3000", "forward deliveries to a local app"],
        ["fanfare webhooks trigger --all --forward-to http://localhost:3000/webhooks", "send every event"],
        ["fanfare webhooks emulator", "run the admin API locally"],
      ]),
    );
  if (onlyWebhooks) (await onlyWebhooks())(webhooks, ctx);
  else if (everything) await registerAll(webhooks, ctx, Object.values(WEBHOOKS));
  return program;
}

/**
 * Runs the CLI with `argv` as process.argv has it (two leading entries) and resolves to the exit
 * code; it never throws for a user mistake. `deps` are the process's own unless a test passes others.
 */
export async function run(argv: string[], deps: CommandDeps = createDeps()): Promise<number> {
  const ctx = commandContext(deps);
  const program = await buildProgram(argv, ctx);
  try {
    await refuseUnknownHelpTopic(program, argv);
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    return handleError(error, program, argv, deps);
  }
}

function handleError(error: unknown, program: Command, argv: string[], deps: CommandDeps): number {
  if (error instanceof CommanderError) {
    if (["commander.help", "commander.helpDisplayed", "commander.version"].includes(error.code)) return ExitCode.ok;
    error = parseError(error, argv);
  }
  const out = new Output({ ...globalsForError(program, argv), stdout: deps.stdout, stderr: deps.stderr, env: deps.env });
  if (isCliError(error)) {
    out.error(error);
    return error.exitCode;
  }
  out.unexpected(error);
  return ExitCode.failure;
}

/**
 * `fanfare webhooks help bogus`: commander shows the group's help and succeeds, which would tell a
 * script nothing. An unknown topic is an unknown command (exit 2), with the nearest names.
 */
async function refuseUnknownHelpTopic(program: Command, argv: string[]): Promise<void> {
  let command = program;
  const path = ["fanfare"];
  const words = argvWords(argv);
  for (let i = 0; i < words.length && command.commands.length > 0; i++) {
    if (words[i] === "help") {
      const topic = words[i + 1];
      const names = command.commands.map((c) => c.name());
      if (topic === undefined || names.includes(topic)) return;
      const { closestNames } = await import("./events/suggest.js");
      const near = closestNames(topic, names);
      const where = path.join(" ");
      throw usageError(
        `unknown command '${topic}'`,
        near.length > 0 ? `did you mean \`${where} help ${near[0]}\`?` : `see \`${where} --help\``,
        "unknown_command",
      );
    }
    const next = command.commands.find((c) => c.name() === words[i]);
    if (!next) return;
    command = next;
    path.push(next.name());
  }
}

/**
 * A usage mistake found by commander, as the CliError every other mistake is: `commander.unknownOption`
 * becomes code `unknown_option`, and commander's "(Did you mean …?)" becomes the hint.
 */
function parseError(error: CommanderError, argv: string[]): CliError {
  const code = error.code.replace(/^commander\./, "").replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
  const [first = ""] = commandWords(argv);
  if (error.code === "commander.unknownCommand" && Object.hasOwn(WEBHOOKS, first)) {
    // `stripe listen` habits: the command exists, one level down.
    return usageError(`unknown command '${first}'`, `did you mean \`fanfare webhooks ${first}\`?`, code);
  }
  const [, message = error.message, similar] = /^(?:error: )?([^\n]*)(?:\n\(Did you mean (.+)\?\))?/s.exec(error.message) ?? [];
  return usageError(message, similar ? `did you mean ${similar}?` : "add --help for usage", code);
}

/**
 * --json and --no-color as given: after a parse error commander may not have read them (it stops
 * reading options at an unknown one), so argv decides too.
 */
function globalsForError(program: Command, argv: string[]) {
  const g = globalsOf(program);
  const end = argv.indexOf("--");
  const given = argv.slice(2, end === -1 ? undefined : end);
  return {
    json: Boolean(g.json) || given.includes("--json"),
    color: g.color !== false && !given.includes("--no-color"),
    verbose: g.verbose,
  };
}

/**
 * Defaults as people read them: once (a description that states its own default keeps only that),
 * unquoted (`(default: 1)`, not `(default: "1")`), and none for an empty list.
 */
function plainDefault<T extends Option | Argument>(item: T): T {
  const value: unknown = item.defaultValue;
  if (value === undefined || item.defaultValueDescription !== undefined) return item;
  const hidden = /\bdefault\b/.test(item.description ?? "") || (Array.isArray(value) && value.length === 0);
  const shown = hidden ? { defaultValue: undefined } : { defaultValueDescription: typeof value === "string" ? value : JSON.stringify(value) };
  return Object.assign(Object.create(item) as T, shown);
}

const HELP = {
  showGlobalOptions: true,
  sortSubcommands: false,
  optionDescription(this: Help, option: Option) {
    return Help.prototype.optionDescription.call(this, plainDefault(option));
  },
  argumentDescription(this: Help, argument: Argument) {
    return Help.prototype.argumentDescription.call(this, plainDefault(argument));
  },
};

export { CliError };
