import { dirname, extname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorError } from "@governor/core";

/** The module extensions `governor` can import (through tsx, so TypeScript needs no build). */
export const MODULE_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"];

/**
 * What to tell the operator when their module cannot be used, before anything is imported:
 * a directory or a file that is not a module is named as such, not handed to the bundler
 * (whose answer for `/etc/passwd` is a syntax error in a phantom `/etc/passwd.js`).
 */
export function notAModule(path: string, isDirectory: boolean): GovernorError | undefined {
  if (isDirectory) {
    return new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `${path} is a directory: pass the module that exports the workflow, such as ${path}${sep}src${sep}workflow.ts`,
      { path },
    );
  }
  if (!MODULE_EXTENSIONS.includes(extname(path))) {
    return new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `${path} is not a workflow module: pass a TypeScript or JavaScript file (${MODULE_EXTENSIONS.join(", ")}) that exports a workflow`,
      { path },
    );
  }
  return undefined;
}

/** Where in a file something went wrong: `file:line:column`. */
interface Place {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** esbuild's report of a syntax error (tsx transforms each module with esbuild). */
interface TransformFailure {
  readonly errors?: readonly {
    text?: string;
    location?: { file?: string; line?: number; column?: number };
  }[];
}

/** This CLI's built code: a frame or path inside it is Governor's, never the user's. */
const OWN_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * One clear error for a module that failed to import: the operator's file, the line and
 * column when the failure has one (a syntax error, or the first frame of their code in an
 * exception's stack), and the failure's own message without the bundler's dump or any path
 * inside Governor's installation.
 */
export function loadFailure(path: string, error: unknown): GovernorError {
  const syntax = syntaxError(error, path);
  if (syntax) {
    return new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `Could not load ${where(syntax.place)}: syntax error: ${syntax.text}`,
      { path, line: syntax.place.line, column: syntax.place.column },
    );
  }
  const message = firstLine(error instanceof Error ? error.message : String(error));
  const place = error instanceof Error ? userFrame(error.stack, path) : undefined;
  return new GovernorError(
    "WORKFLOW_LOAD_FAILED",
    `Could not load ${place ? where(place) : path}: ${withoutOwnPaths(message)}`,
    { path, ...(place ? { at: where(place) } : {}) },
  );
}

function where(place: Place): string {
  return `${place.file}:${place.line}:${place.column}`;
}

function syntaxError(error: unknown, path: string): { place: Place; text: string } | undefined {
  const first = (error as TransformFailure | undefined)?.errors?.[0];
  if (first?.location?.line !== undefined) {
    return {
      place: {
        file: realFile(first.location.file, path),
        line: first.location.line,
        column: first.location.column ?? 0,
      },
      text: first.text ?? "invalid syntax",
    };
  }
  // tsx reports only the message: "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: <text>".
  const message = error instanceof Error ? error.message : "";
  const match = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (!match || !/Transform failed/.test(message)) return undefined;
  const [, file = path, line = "0", column = "0", text = ""] = match;
  return { place: { file: realFile(file, path), line: Number(line), column: Number(column) }, text };
}

/** esbuild names an extensionless file `<file>.js`: the operator's file is the one they typed. */
function realFile(reported: string | undefined, path: string): string {
  if (!reported || reported === `${path}.js`) return path;
  return reported;
}

/**
 * The first stack frame in the operator's code: their module, else a file beside it that it
 * imports; never a frame of Node, of a dependency or of Governor itself.
 */
function userFrame(stack: string | undefined, path: string): Place | undefined {
  const frames = [...(stack ?? "").matchAll(/\(?((?:file:\/\/)?\/[^():\s]+):(\d+):(\d+)\)?$/gm)].map(
    ([, file = "", line, column]) => ({
      file: file.startsWith("file://") ? fileURLToPath(file) : file,
      line: Number(line),
      column: Number(column),
    }),
  );
  const own = frames.find((frame) => frame.file === path);
  if (own) return own;
  const base = dirname(path) + sep;
  return frames.find(
    (frame) =>
      frame.file.startsWith(base) &&
      !frame.file.includes(`${sep}node_modules${sep}`) &&
      !frame.file.startsWith(OWN_DIR + sep),
  );
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() || "the module threw while loading";
}

/** Node's resolution errors end "imported from <importer>": Governor's own importer is noise. */
function withoutOwnPaths(message: string): string {
  return message
    .replace(/ imported from \S+$/, (tail) => (tail.includes(OWN_DIR) ? "" : tail))
    .split(OWN_DIR)
    .join("governor");
}
