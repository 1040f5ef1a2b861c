import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { createStyle, stripAnsi, type StyleName } from "../../src/terminal/style.js";

const NAMES: StyleName[] = ["bold", "dim", "italic", "underline", "inverse", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "gray", "grey"];

describe("createStyle", () => {
  const chalk = new Chalk({ level: 1 });

  it.each(NAMES)("%s writes the codes chalk (Ink's colours) writes", (name) => {
    expect(createStyle(true)[name]("text")).toBe(chalk[name]("text"));
  });

  it("composes like chalk", () => {
    expect(createStyle(true).bold.green("a", "b")).toBe(chalk.bold.green("a", "b"));
    expect(createStyle(true).dim.red.underline("x")).toBe(chalk.dim.red.underline("x"));
  });

  it("writes plain text when colour is off", () => {
    expect(createStyle(false).bold.red("a", 1)).toBe("a 1");
    expect(stripAnsi(createStyle(true).bold.red("a"))).toBe("a");
  });
});
