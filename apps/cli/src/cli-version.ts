import { readFileSync } from "node:fs";

/**
 * The CLI package's version, read from its package.json (one directory above both `src/`
 * and `dist/`), so `governor --version` cannot drift from what was installed.
 */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
