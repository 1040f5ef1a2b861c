/**
 * Secrets and API keys are shown as their prefix and last four characters, enough to tell two
 * apart and nothing more: `whsec_••••••••k3Jq`, `sk_live_••••••••9f2a`.
 */
export function maskSecret(value: string | undefined | null): string {
  if (!value) return "";
  const prefix = /^(whsec_|sk_live_|sk_test_|sk_|fan_|key_)/.exec(value)?.[0] ?? "";
  const rest = value.slice(prefix.length);
  if (rest.length <= 8) return prefix + "••••••••";
  return prefix + "••••••••" + rest.slice(-4);
}
