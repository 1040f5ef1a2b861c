import { usageError } from "../errors.js";
import { SECRET_ENV } from "../signing/options.js";

/** Where a signing secret for sending came from (said in opening lines and reports). */
export type SecretSource = "flag" | "listen" | "env";

export interface SecretSources {
  /** `--secret`. */
  flag?: string;
  /** The running listen session's secret, when deliveries go to (or through) it. */
  sessionSecret?: string;
  env: NodeJS.ProcessEnv;
}

export interface ResolvedSecret {
  secret: string;
  source: SecretSource;
}

/**
 * The secret that `trigger` and `check` sign with: `--secret`, then the running listen's (it
 * verifies with its own, and the app behind it was told to use that one), then
 * FANFARE_WEBHOOK_SECRET. One place, so every command that signs finds the same secret.
 * Async so that a source kept on disk can join the order without its callers changing.
 */
export async function resolveSigningSecret(sources: SecretSources): Promise<ResolvedSecret> {
  if (sources.flag) return { secret: sources.flag, source: "flag" };
  if (sources.sessionSecret) return { secret: sources.sessionSecret, source: "listen" };
  const fromEnv = sources.env[SECRET_ENV];
  if (fromEnv) return { secret: fromEnv, source: "env" };
  throw usageError(
    "no signing secret",
    `pass --secret whsec_… or export ${SECRET_ENV}=whsec_… (the secret your app verifies with)`,
    "missing_secret",
  );
}
