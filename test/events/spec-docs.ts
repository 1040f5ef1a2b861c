import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.js";

/**
 * The source docs live in ../shared/spec beside the repository (in CI too, but not in every
 * checkout), named `<number>_<hash>.txt`. Tests that read them skip when they are absent.
 */
export const SPEC_DIR = join(ROOT, "..", "shared", "spec");

export function specText(number: "000" | "001" | "002" | "003"): string | undefined {
  if (!existsSync(SPEC_DIR)) return undefined;
  const file = readdirSync(SPEC_DIR).find((f) => f.startsWith(`${number}_`) && f.endsWith(".txt"));
  return file === undefined ? undefined : readFileSync(join(SPEC_DIR, file), "utf8");
}

export type ReferencePayloads = Record<string, { [key: string]: unknown; data: Record<string, unknown> }>;

/**
 * The example payloads of the events reference (003): each `### name` heading (markdown-escaped,
 * `draw\.consumer.won`) followed by one ```json block. This is how test/fixtures/events-reference.json
 * was made: `UPDATE_REFERENCE_FIXTURE=1 npx vitest run test/events/reference-fixture.test.ts`.
 */
export function extractReferencePayloads(text: string): ReferencePayloads {
  const payloads: ReferencePayloads = {};
  for (const section of text.split(/^### /m).slice(1)) {
    const name = section.slice(0, section.indexOf("\n")).replace(/\\/g, "").trim();
    const block = /```json[^\n]*\n([\s\S]*?)\n```/.exec(section);
    if (!block) continue;
    payloads[name] = JSON.parse(block[1]!);
  }
  return payloads;
}

/**
 * Every event name the docs list: table rows (`| \`queue.consumer_entered\` | …` or
 * `queue.consumer.entered | …`) and quoted names in code ("consumer.linked" appears only in the
 * guide's subscription list).
 */
export function documentedEventNames(text: string): string[] {
  const names = new Set<string>();
  const category = "(?:queue|draw|auction|order|consumer|distribution|experience)";
  const row = new RegExp(`^\\|?\\s*\`?(${category}(?:\\\\?\\.[a-z_]+)+)\`?\\s*\\|`, "gm");
  const quoted = new RegExp(`"(${category}(?:\\.[a-z_]+)+)"`, "g");
  for (const m of text.matchAll(row)) names.add(m[1]!.replace(/\\/g, ""));
  for (const m of text.matchAll(quoted)) names.add(m[1]!);
  return [...names];
}
