import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary directory for one benchmark's SQLite files, removed by `dispose()`. */
export function scratchDir(prefix: string): { readonly path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), `governor-bench-${prefix}-`));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}
