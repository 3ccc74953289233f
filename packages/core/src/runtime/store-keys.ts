import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hs256Keys, keysFromEnv, TOKEN_ENV, type TokenKeys } from "@governor/identity";

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
  const keyDir = join(dir, "keys");
  const file = join(keyDir, "approval.key");
  if (!existsSync(file)) {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    // "wx": if another process created it meanwhile, keep theirs.
    try {
      writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return hs256Keys(Buffer.from(readFileSync(file, "utf8").trim(), "base64"));
}
