import { usageError } from "../errors.js";
import { SECRET_ENV } from "../signing/options.js";

/** Where a signing secret for sending came from (said in opening lines and reports). */
type SecretSource = "flag" | "listen" | "env" | "stored";

interface SecretSources {
  /** `--secret`. */
  flag?: string;
  /** The running listen session's secret, when deliveries go to (or through) it. */
  sessionSecret?: string;
  env: NodeJS.ProcessEnv;
  /** A way out the command has besides a secret (replay's `--as-recorded`), for the hint when there is none. */
  orElse?: string;
}

interface ResolvedSecret {
  secret: string;
  source: SecretSource;
}

/**
 * The secret that `trigger` and `check` sign with: `--secret`, then the running listen's (it
 * verifies with its own, and the app behind it was told to use that one), then
 * FANFARE_WEBHOOK_SECRET, then the stored local secret (the one `listen` uses, which `listen
 * --print-secret` gave the app; callers say so on stderr when it is used). One place, so every
 * command that signs finds the same secret.
 */
export async function resolveSigningSecret(sources: SecretSources): Promise<ResolvedSecret> {
  if (sources.flag) return { secret: sources.flag, source: "flag" };
  if (sources.sessionSecret) return { secret: sources.sessionSecret, source: "listen" };
  const fromEnv = sources.env[SECRET_ENV];
  if (fromEnv) return { secret: fromEnv, source: "env" };
  const { storedLocalSecret } = await import("../config/settings.js");
  const stored = await storedLocalSecret(sources.env);
  if (stored) return { secret: stored, source: "stored" };
  throw usageError(
    "no signing secret",
    `pass --secret whsec_… or export ${SECRET_ENV}=whsec_… (the secret your app verifies with)` + (sources.orElse ? `, or ${sources.orElse}` : ""),
    "missing_secret",
  );
}

/** What a command prints on stderr when it fell back to the stored secret. */
export const STORED_SECRET_NOTE = `no --secret or ${SECRET_ENV}: signing with the stored local secret (the one listen uses)`;
