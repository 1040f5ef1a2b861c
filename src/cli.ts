import { createRequire } from "node:module";
import type { Command } from "commander";
import { CliError, ExitCode, isCliError } from "./errors.js";
import { Output } from "./terminal/output.js";
import { commandContext, examples, globalsOf, type CommandContext } from "./commands/context.js";
import { createDeps, type CommandDeps } from "./commands/deps.js";

// commander through require: its ESM entry costs a few ms more on Node 20, and package.json read
// this way spares the ESM facade of node:fs (which loads fs streams).
const require = createRequire(import.meta.url);
const { Command: CommandClass, CommanderError } = require("commander") as typeof import("commander");

type Register = (parent: Command, ctx: CommandContext) => void;

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

async function registerAll(parent: Command, ctx: CommandContext, loaders: Array<() => Promise<Register>>): Promise<void> {
  const registers = await Promise.all(loaders.map((load) => load()));
  for (const register of new Set(registers)) register(parent, ctx);
}

export function version(): string {
  return (require("../package.json") as { version: string }).version;
}

export async function buildProgram(argv: string[], ctx: CommandContext): Promise<Command> {
  const words = commandWords(argv);
  const [group = "", sub = ""] = words;
  const versionOnly = words.length === 0 && argv.some((a) => a === "-v" || a === "--version");
  const onlyTop = TOP_LEVEL[group];
  const onlyWebhooks = group === "webhooks" ? WEBHOOKS[sub] : undefined;
  const everything = !onlyTop && !onlyWebhooks && !versionOnly;

  const program = new CommandClass("fanfare");
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
    .configureOutput({
      writeOut: (text) => ctx.deps.stdout.write(text),
      writeErr: (text) => ctx.deps.stderr.write(text),
      getOutHelpWidth: () => (ctx.deps.stdout.isTTY ? (ctx.deps.stdout.columns ?? 80) : 80),
      getErrHelpWidth: () => (ctx.deps.stderr.isTTY ? (ctx.deps.stderr.columns ?? 80) : 80),
    })
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
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    return handleError(error, program, argv, deps);
  }
}

function handleError(error: unknown, program: Command, argv: string[], deps: CommandDeps): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
    // `fanfare` alone shows help as an answer; a group without its subcommand is a usage mistake.
    if (error.code === "commander.help") return argv.length <= 2 ? ExitCode.ok : ExitCode.usage;
    // Commander has already printed its message (and the help pointer).
    return ExitCode.usage;
  }
  const out = new Output({ ...globalsFromArgv(program), stdout: deps.stdout, stderr: deps.stderr, env: deps.env });
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
