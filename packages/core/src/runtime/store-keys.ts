import { join } from "node:path";
import { hs256Keys, keysFromEnv, TOKEN_ENV, type TokenKeys } from "@governor/identity";
import { secretFile } from "@governor/observability";

/**
 * The keys approvers sign decisions with and Governor verifies them with.
 *
 * Configured keys come from the environment (GOVERNOR_TOKEN_SECRET, or an Ed25519 JWK
 * pair where approvers hold the private key and Governor only the public one). Without
 * them, a development secret is created once in the store (`keys/approval.key`, readable
 * by its owner only), so `governor approve` and the runtime agree offline. Anyone who can
 * read that file can sign as any approver: configure real keys in production.
 */
export function storeKeys(
  dir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TokenKeys {
  if (Object.values(TOKEN_ENV).some((name) => env[name])) return keysFromEnv(env);
  return hs256Keys(secretFile(join(dir, "keys", "approval.key")));
}
