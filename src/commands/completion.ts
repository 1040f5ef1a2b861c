import type { Command, Option } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { usageError } from "../errors.js";
import { type CompletionSpec, type CommandSpec, type FlagSpec, SHELLS, type Shell, type ValueKind } from "../completion/model.js";
import { SIGNATURE_SCHEMES } from "../signing/options.js";
import { type CommandContext, examples, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

interface CompletionOptions extends GlobalOptions {
  shell: string;
}

/**
 * Registers `completion` on the program. src/cli.ts registers every command group before this one
 * runs, so the script is read off the whole program as the user has it, and cannot drift from it.
 */
export function registerCompletion(program: Command, ctx: CommandContext): void {
  program
    .command("completion")
    .description("print a shell completion script (commands, flags, event names)")
    .argument("<shell>", `the shell: ${SHELLS.join(", ")}`)
    .addHelpText(
      "after",
      "\nInstall (then open a new shell):\n" +
        `  bash  add to ~/.bashrc:   eval "$(fanfare completion bash)"\n` +
        `  zsh   add to ~/.zshrc:    eval "$(fanfare completion zsh)"      (after compinit)\n` +
        "  fish  run once:           fanfare completion fish > ~/.config/fish/completions/fanfare.fish\n" +
        examples([
          ["fanfare completion bash > ~/.local/share/bash-completion/completions/fanfare", "bash, installed once"],
          ['fanfare completion zsh > "${fpath[1]}/_fanfare"', "zsh, as an autoloaded function"],
        ]),
    )
    .action(runWith(ctx, (options: CompletionOptions, deps) => completion({ ...options, program }, deps)));
}

export async function completion(options: CompletionOptions & { program: Command }, deps: CommandDeps): Promise<void> {
  const shell = options.shell as Shell;
  if (!SHELLS.includes(shell)) {
    throw usageError(`no completion for shell "${options.shell}"`, `use one of: ${SHELLS.join(", ")}`, "invalid_argument");
  }
  const { eventNames } = await import("../events/catalog.js");
  const spec = completionSpec(options.program, eventNames());
  const generate = {
    bash: async () => (await import("../completion/bash.js")).bashScript,
    zsh: async () => (await import("../completion/zsh.js")).zshScript,
    fish: async () => (await import("../completion/fish.js")).fishScript,
  }[shell];
  deps.stdout.write((await generate())(spec));
}

/** Every command of the program, flattened, with the flags that apply at each (globals included). */
export function completionSpec(program: Command, events: string[]): CompletionSpec {
  const commands: CommandSpec[] = [];
  const help: FlagSpec = { names: ["--help", "-h"], description: "show help" };
  const visit = (command: Command, path: string[], inherited: FlagSpec[]) => {
    const own = command.options.filter((o) => !o.hidden).map(flagSpec);
    const flags = [...own, ...inherited];
    const args = command.registeredArguments.map((a) => valueKind(a.name(), a.argChoices, `<${a.name()}>`));
    commands.push({
      path: path.join(" "),
      description: command.description(),
      subcommands: command.commands.map((c) => ({ name: c.name(), description: c.description() })),
      flags: [...flags, help],
      args,
      variadic: command.registeredArguments.at(-1)?.variadic ?? false,
    });
    // Only the program's own options apply everywhere (commander's globals); --version stays at the top.
    const passDown = path.length === 0 ? own.filter((f) => !f.names.includes("--version")) : inherited;
    for (const sub of command.commands) visit(sub, [...path, sub.name()], passDown);
  };
  visit(program, [], []);
  return { program: program.name(), version: program.version() ?? "", commands, events };
}

function flagSpec(option: Option): FlagSpec {
  const names = [option.long, option.short].filter((n): n is string => Boolean(n));
  const takesValue = option.required || option.optional;
  const name = (option.long ?? "").replace(/^--/, "");
  return {
    names,
    description: option.description,
    ...(takesValue ? { value: valueKind(name, option.argChoices, option.flags) } : {}),
  };
}

/**
 * What a flag's value or an argument is, from its name: the CLI's naming is the convention (`event`
 * arguments, `--events` lists, `--scheme`, `<file>` placeholders), so new commands complete without
 * edits here.
 */
function valueKind(name: string, choices: string[] | undefined, flags: string): ValueKind {
  if (choices && choices.length > 0) return { kind: "choices", values: choices };
  if (name === "event" || name === "event-type") return { kind: "events" };
  if (name === "events") return { kind: "event-list" };
  if (name === "scheme") return { kind: "choices", values: [...SIGNATURE_SCHEMES] };
  if (name === "shell") return { kind: "choices", values: [...SHELLS] };
  if (/<(file|dir|path)>|\.ndjson>/.test(flags) || /^(log-file|data-dir|payload|data|out)$/.test(name)) return { kind: "file" };
  return { kind: "any" };
}
