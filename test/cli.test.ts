import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../src/cli.js";
import { commandContext } from "../src/commands/context.js";
import { createDeps } from "../src/commands/deps.js";
import { runCli } from "./helpers/cli.js";

/** `fanfare …args` in this process, with its output captured. */
async function fanfare(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runCli(args);
  return { code, stdout, stderr };
}

const WEBHOOKS_SUBCOMMANDS = ["events", "sample", "trigger", "verify", "check", "listen", "endpoints", "deliveries", "emulator"];

describe("help", () => {
  it.each([
    [[], "Usage: fanfare [options] [command]"],
    [["help"], "Usage: fanfare [options] [command]"],
    [["webhooks"], "Usage: fanfare webhooks [options] [command]"],
    [["webhooks", "help"], "Usage: fanfare webhooks [options] [command]"],
    [["webhooks", "help", "listen"], "Usage: fanfare webhooks listen [options]"],
    [["webhooks", "endpoints"], "Usage: fanfare webhooks endpoints [options] [command]"],
    [["webhooks", "endpoints", "help", "create"], "Usage: fanfare webhooks endpoints create [options]"],
    [["webhooks", "trigger", "--help"], "Usage: fanfare webhooks trigger [options] [event...]"],
    [["config", "help", "get"], "Usage: fanfare config get [options] <key>"],
  ])("`fanfare %s` prints help on stdout and exits 0", async (args, usage) => {
    const r = await fanfare(...args);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n")[0]).toBe(usage);
  });

  it("shows each default once, unquoted, and no empty list as a default", async () => {
    const program = await buildProgram(["node", "fanfare", "--help"], commandContext(createDeps({ env: {} })));
    const descriptions: string[] = [];
    const visit = (cmd: Command) => {
      const help = cmd.createHelp();
      for (const option of help.visibleOptions(cmd)) descriptions.push(help.optionDescription(option));
      for (const argument of help.visibleArguments(cmd)) descriptions.push(help.argumentDescription(argument));
      cmd.commands.forEach(visit);
    };
    visit(program);
    expect(descriptions.length).toBeGreaterThan(50);
    const wrong = descriptions.filter(
      (d) => /\(default: "/.test(d) || d.includes("(default: [])") || (d.match(/\bdefault\b/g) ?? []).length > 1,
    );
    expect(wrong).toEqual([]);
    expect(descriptions).toContain("deliveries per event, each with a fresh id (default: 1)");
    expect(descriptions).toContain("port of the loopback receiver (default: a free one)");
  });
});

describe("help for an unknown topic", () => {
  it.each([
    [["webhooks", "help", "lisen"], "unknown command 'lisen'", "did you mean `fanfare webhooks help listen`?"],
    [["help", "bogus"], "unknown command 'bogus'", "see `fanfare --help`"],
    [["webhooks", "endpoints", "help", "craete"], "unknown command 'craete'", "did you mean `fanfare webhooks endpoints help create`?"],
  ])("`fanfare %s` is exit 2 with the nearest names, not the group's help", async (args, message, hint) => {
    const r = await fanfare(...args);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `error: ${message}\nhint: ${hint}\n` });
  });

  it("leaves arguments that happen to be named help alone", async () => {
    const r = await fanfare("webhooks", "sample", "help", "x");
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/unknown command/);
  });
});

describe("usage errors", () => {
  it.each([
    [["--json", "--bogus"], "unknown_option", "unknown option '--bogus'"],
    [["--bogus", "--json"], "unknown_option", "unknown option '--bogus'"],
    [["--json", "webhooks", "bogus"], "unknown_command", "unknown command 'bogus'"],
    [["webhooks", "verify", "--json", "--nope"], "unknown_option", "unknown option '--nope'"],
    [["--json", "webhooks", "endpoints", "test"], "missing_argument", "missing required argument 'id'"],
    [["--json", "webhooks", "trigger", "--count"], "option_missing_argument", "option '--count <n>' argument missing"],
  ])("with --json, `fanfare %s` is one JSON object on stderr and exit 2", async (args, code, message) => {
    const r = await fanfare(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stderr)).toEqual({ error: { code, message, hint: "add --help for usage", exitCode: 2 } });
  });

  it("without --json, is an error line and a hint", async () => {
    const r = await fanfare("--bogus");
    expect(r).toEqual({ code: 2, stdout: "", stderr: "error: unknown option '--bogus'\nhint: add --help for usage\n" });
  });

  it("passes on commander's suggestion as the hint", async () => {
    const r = await fanfare("webhook");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'webhook'\nhint: did you mean webhooks?\n");
  });

  it.each(WEBHOOKS_SUBCOMMANDS)("`fanfare %s` points at `fanfare webhooks %s`", async (name) => {
    const r = await fanfare(name, "--forward-to", "3000");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: unknown command '${name}'\nhint: did you mean \`fanfare webhooks ${name}\`?\n`);
  });

  it("says the same in JSON", async () => {
    const r = await fanfare("--json", "listen");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toEqual({
      error: { code: "unknown_command", message: "unknown command 'listen'", hint: "did you mean `fanfare webhooks listen`?", exitCode: 2 },
    });
  });
});
