/**
 * What a tool answers, apart from the SDK (server.ts) so the commands that build answers do not load
 * it: a line or two for the agent to read, and the same as data.
 */
export interface ToolOutcome {
  text: string;
  structured: Record<string, unknown>;
  /** The operation failed (a delivery got no 2xx, an unknown event, no target): said, never thrown. */
  isError?: boolean;
}

/** A failure as a tool answers it: `error: …` and `hint: …` to read, `{ error }` (and `extra`) as data. */
export function toolError(error: { message: string; hint?: string; code?: string }, extra: Record<string, unknown> = {}): ToolOutcome {
  return {
    text: `error: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ""}`,
    structured: { ...extra, error },
    isError: true,
  };
}
