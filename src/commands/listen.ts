import type { Command } from "commander";

// Placeholder until its issue lands; registers nothing.
export function registerListen(_parent: Command): void {}
