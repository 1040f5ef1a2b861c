import type { Command } from "commander";

// Placeholder until its issue lands; registers nothing.
export function registerEmulator(_parent: Command): void {}
