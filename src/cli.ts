import { Command, CommanderError } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { CliError, ExitCode, isCliError } from "./errors.js";
import { Output } from "./terminal/output.js";
import { examples, globalsOf, resetExitCode, takeExitCode } from "./commands/context.js";

type Register = (parent: Command) => void;

/**
 * Each command group's module, loaded only when its command runs (all of them for help and for
 * anything unrecognised), so start-up pays for one group rather than every one.
 */
const TOP_LEVEL: Record<string, () => Promise<Register>> = {
  login: async () => (await import("./commands/login.js")).registerLogin,
  logout: async () => (await import("./commands/login.js")).registerLogin,
  config: async () => (await import("./commands/config.js")).registerConfig,
};
const WEBHOOKS: Record<string, () => Promise<Register>> = {
  events: async () => (await import("./commands/events.js")).registerEvents,
  sample: async () => (await import("./commands/events.js")).registerEvents,
  trigger: async () => (await import("./commands/trigger.js")).registerTrigger,
  verify: async () => (await import("./commands/verify.js")).registerVerify,
  listen: async () => (await import("./commands/listen.js")).registerListen,
  endpoints: async () => (await import("./commands/endpoints.js")).registerEndpoints,
  deliveries: async () => (await import("./commands/deliveries.js")).registerDeliveries,
  emulator: async () => (await import("./commands/emulator.js")).registerEmulator,
};
const GLOBALS_WITH_VALUE = new Set(["--profile", "--api-base", "--api-key"]);

/** The first two command words of argv (`webhooks verify`), or none when help is asked for. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 2; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help" || arg === "help") return [];
    if (GLOBALS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) words.push(arg);
  }
  return words;
}

async function registerAll(parent: Command, loaders: Array<() => Promise<Register>>): Promise<void> {
  const registers = await Promise.all(loaders.map((load) => load()));
  for (const register of new Set(registers)) register(parent);
}

export function version(): string {
  return packageJson.version;
}

export async function buildProgram(argv: string[] = []): Promise<Command> {
  const words = commandWords(argv);
  const [group = "", sub = ""] = words;
  const versionOnly = words.length === 0 && argv.some((a) => a === "-v" || a === "--version");
  const onlyTop = TOP_LEVEL[group];
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
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError("(add --help for usage)")
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

  if (onlyTop) (await onlyTop())(program);
  else if (everything) await registerAll(program, Object.values(TOP_LEVEL));

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
  if (onlyWebhooks) (await onlyWebhooks())(webhooks);
  else if (everything) await registerAll(webhooks, Object.values(WEBHOOKS));
  return program;
}

/** Runs the CLI and resolves to the process exit code; it never throws for a user mistake. */
export async function run(argv: string[]): Promise<number> {
  resetExitCode();
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return takeExitCode();
  } catch (error) {
    return handleError(error, program, argv);
  }
}

function handleError(error: unknown, program: Command, argv: string[]): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
    // `fanfare` alone shows help as an answer; a group without its subcommand is a usage mistake.
    if (error.code === "commander.help") return argv.length <= 2 ? ExitCode.ok : ExitCode.usage;
    // Commander has already printed its message (and the help pointer).
    return ExitCode.usage;
  }
  const out = new Output(globalsFromArgv(program));
  if (isCliError(error)) {
    out.error(error);
    return error.exitCode;
  }
  out.unexpected(error);
  return ExitCode.failure;
}

function globalsFromArgv(program: Command) {
  const g = globalsOf(program);
  return { json: g.json, color: g.color, verbose: g.verbose };
}

export { CliError };
