import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bashScript } from "../../src/completion/bash.js";
import { completionSpec } from "../../src/commands/completion.js";
import { runCli, tempConfigDir } from "../helpers/cli.js";

const has = (shell: string) => spawnSync(shell, ["--version"], { stdio: "ignore" }).status === 0;
const ZSH = has("zsh");
const FISH = has("fish");

const scripts: Record<string, string> = {};
let folder: { dir: string; cleanup: () => void };

function shell(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  folder = tempConfigDir();
  for (const name of ["bash", "zsh", "fish"]) {
    const result = await runCli(["completion", name]);
    expect(result.code, result.stderr).toBe(0);
    scripts[name] = join(folder.dir, `fanfare.${name}`);
    writeFileSync(scripts[name], result.stdout);
  }
});
afterAll(() => folder.cleanup());

/** What bash's completion function offers for the words typed so far (the last one is being completed). */
function bashCompletes(line: string): string[] {
  const words = line.split(" ");
  const script = `source ${JSON.stringify(scripts.bash)}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
_fanfare; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = shell("bash", ["-c", script]);
  expect(result.stderr).toBe("");
  return result.stdout.split("\n").filter(Boolean);
}

describe("fanfare completion bash", () => {
  it("is a valid bash script (bash -n)", () => {
    const result = shell("bash", ["-n", scripts.bash!]);
    expect(result.status, result.stderr).toBe(0);
  });

  it("completes commands, subcommands, flags and event names", () => {
    expect(bashCompletes("fanfare webhooks tr")).toEqual(["trigger"]);
    expect(bashCompletes("fanfare webhooks trigger draw.con")).toEqual([
      "draw.consumer.entered",
      "draw.consumer.won",
      "draw.consumer.lost",
    ]);
    expect(bashCompletes("fanfare webhooks sample order.cr")).toEqual(["order.created"]);
    expect(bashCompletes("fanfare comp")).toEqual(["completion"]);
    expect(bashCompletes("fanfare webhooks trigger --forw")).toEqual(["--forward-to", "--forward"]);
    // A flag's value is skipped when finding the command, and completed from what the flag takes.
    expect(bashCompletes("fanfare --profile webhooks webhooks sa")).toEqual(["sample"]);
    expect(bashCompletes("fanfare webhooks trigger --secret draw.x draw.consumer.w")).toEqual(["draw.consumer.won"]);
    expect(bashCompletes("fanfare webhooks trigger --scheme ")).toEqual(expect.arrayContaining(["v1", "sha256", "hex"]));
    // --events a,b completes the part after the last comma.
    expect(bashCompletes("fanfare webhooks listen --events draw.consumer.won,draw.consumer.l")).toEqual([
      "draw.consumer.won,draw.consumer.lost",
    ]);
    // endpoints test <id> <event>: an id is not an event name, the second argument is.
    expect(bashCompletes("fanfare webhooks endpoints test dr")).toEqual([]);
    expect(bashCompletes("fanfare webhooks endpoints test we_1 draw.consumer.w")).toEqual(["draw.consumer.won"]);
  });

  it("offers every documented event name", () => {
    expect(bashCompletes("fanfare webhooks trigger ").length).toBe(52);
  });
});

describe.skipIf(!ZSH)("fanfare completion zsh", () => {
  it("is a valid zsh script (zsh -n)", () => {
    const result = shell("zsh", ["-n", scripts.zsh!]);
    expect(result.status, result.stderr).toBe(0);
  });

  it("completes `fanfare webhooks tr` and `trigger draw.con` (compadd stubbed to print what it is given)", () => {
    const run = (line: string) =>
      shell("zsh", [
        "-f",
        "-c",
        `compdef() { :; }; compset() { :; }; compadd() { print -r -- "$@"; }
source ${JSON.stringify(scripts.zsh)}
words=(${line.split(" ").map((w) => JSON.stringify(w)).join(" ")}); CURRENT=\${#words}; _fanfare`,
      ]);
    const tr = run("fanfare webhooks tr");
    expect(tr.stderr).toBe("");
    expect(tr.stdout.split(/\s+/)).toContain("trigger");
    const events = run("fanfare webhooks trigger draw.con");
    expect(events.stdout.split(/\s+/)).toContain("draw.consumer.won");
    expect(events.stdout.split(/\s+/)).not.toContain("trigger");
  });
});

describe.skipIf(!FISH)("fanfare completion fish", () => {
  it("is a valid fish script (fish --no-execute)", () => {
    const result = shell("fish", ["--no-execute", scripts.fish!]);
    expect(result.status, result.stderr).toBe(0);
  });

  it("completes `fanfare webhooks tr` and `trigger draw.con`, with descriptions", () => {
    const complete = (line: string) => {
      const result = shell("fish", ["-c", `source ${JSON.stringify(scripts.fish)}; complete -C ${JSON.stringify(line)}`]);
      expect(result.stderr).toBe("");
      return result.stdout.split("\n").filter(Boolean);
    };
    expect(complete("fanfare webhooks tr")).toEqual([expect.stringMatching(/^trigger\tsend signed sample/)]);
    expect(complete("fanfare webhooks trigger draw.con")).toEqual(["draw.consumer.entered", "draw.consumer.lost", "draw.consumer.won"]);
    expect(complete("fanfare webhooks listen --events draw.consumer.won,draw.consumer.l")).toEqual([
      expect.stringMatching(/^draw\.consumer\.won,draw\.consumer\.lost\t/),
    ]);
  });
});

describe("completion spec", () => {
  it("is read off the commander program, so a command added later completes without edits", () => {
    const program = new Command("fanfare").option("--json").option("--profile <name>");
    const webhooks = program.command("webhooks");
    webhooks.command("check").option("--events <events>").option("--forward-to <target>").argument("[event...]");
    const spec = completionSpec(program, ["draw.consumer.won"]);
    const check = spec.commands.find((c) => c.path === "webhooks check")!;
    expect(check.flags.map((f) => f.names[0])).toEqual(["--events", "--forward-to", "--json", "--profile", "--help"]);
    expect(check.flags[0]!.value).toEqual({ kind: "event-list" });
    expect(check.args).toEqual([{ kind: "events" }]);
    expect(bashScript(spec)).toContain('"webhooks check|--events") echo "event-list"');
  });

  it("refuses an unknown shell with exit 2", async () => {
    const result = await runCli(["completion", "powershell"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bash, zsh, fish");
  });
});
