import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { GovernorError } from "@governor/core";

/** The store directory a command uses, and where that choice came from (for error messages). */
export interface StoreDir {
  readonly path: string;
  readonly origin: "--dir" | "GOVERNOR_DIR" | "the default store";
}

/**
 * The store directory: `--dir`, else GOVERNOR_DIR, else `.governor/`.
 *
 * An empty or blank value is refused rather than resolved: `resolve("")` is the working
 * directory, so `--dir ""` (or `GOVERNOR_DIR=`) used to put `governor.db` and the signing
 * key into whatever directory the user stood in, typically a repository's root.
 *
 * @throws {GovernorError} CONFIG_INVALID when `--dir` or GOVERNOR_DIR is empty or blank.
 */
export function storeDirFrom(
  dir: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): StoreDir {
  const [value, origin] =
    dir !== undefined
      ? [dir, "--dir" as const]
      : env.GOVERNOR_DIR !== undefined
        ? [env.GOVERNOR_DIR, "GOVERNOR_DIR" as const]
        : [".governor", "the default store" as const];
  if (!value.trim()) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `${origin} is ${value ? "blank" : "empty"}: name the store's directory (e.g. --dir .governor), or ${origin === "--dir" ? "leave --dir out" : "unset GOVERNOR_DIR"} to use .governor`,
      { origin },
    );
  }
  return { path: resolve(value), origin };
}

/**
 * Makes sure the store directory exists and this user can read and write it, creating it
 * (and missing parents) when needed.
 *
 * Parents are created one at a time, not with `mkdirSync(..., { recursive: true })`: in a
 * directory that exists but refuses new entries with ENOENT (procfs, e.g. `/proc/nope`),
 * Node's recursive mkdir retries forever, and `governor status --dir /proc/nope` hung.
 * One level at a time, every refusal surfaces as its error code.
 *
 * @throws {GovernorError} CONFIG_INVALID when the path (or a parent) is a file, cannot be
 *   created, or is not readable and writable.
 */
export function ensureStoreDir(storeDir: StoreDir): void {
  const { path } = storeDir;
  const invalid = invalidStoreDir(storeDir);
  const missing = missingDirs(storeDir);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (cause) {
      throw invalid(
        `cannot be created (${(cause as NodeJS.ErrnoException).code ?? "error"} at ${dir})`,
        cause,
      );
    }
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw invalid("is not readable and writable by this user", error);
  }
}

/**
 * The directories that would have to be created for the store, outermost first; refuses a
 * path a file stands in the way of (the path itself, or a parent) without creating anything.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the file in the way, or an unreadable parent.
 */
export function missingDirs(storeDir: StoreDir): string[] {
  const { path } = storeDir;
  const invalid = invalidStoreDir(storeDir);
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    const kind = entryKind(existing, invalid);
    if (kind === "directory") return missing;
    if (kind === "file") {
      throw invalid(
        existing === path ? "is a file, not a directory" : `cannot be created: ${existing} is a file`,
      );
    }
    missing.unshift(existing);
    const parent = dirname(existing);
    // The filesystem root always exists; reaching it missing means stat lies: stop, do not loop.
    if (parent === existing) throw invalid("cannot be created (no existing parent directory)");
    existing = parent;
  }
}

function invalidStoreDir({ path, origin }: StoreDir) {
  return (what: string, cause?: unknown) =>
    new GovernorError(
      "CONFIG_INVALID",
      `The store directory ${path} (${origin}) ${what}: pass --dir with a directory you can write, or set GOVERNOR_DIR`,
      { dir: path },
      { cause },
    );
}

function entryKind(
  path: string,
  invalid: (what: string, cause?: unknown) => GovernorError,
): "directory" | "file" | "missing" {
  try {
    return statSync(path).isDirectory() ? "directory" : "file";
  } catch (error) {
    // ENOTDIR: a parent is a file; walking up finds it and names it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    throw invalid(`cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"} at ${path})`, error);
  }
}
