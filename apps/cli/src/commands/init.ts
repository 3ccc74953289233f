import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorError } from "@governor/core";
import { paint, type Terminal } from "../terminal.js";

/** The project `governor init` writes: each template file, named without `.tmpl`, `{{name}}` filled in. */
const TEMPLATES = fileURLToPath(new URL("../../templates/init/", import.meta.url));

/**
 * Files whose name would be read by a tool if stored as such (npm ignores a `.gitignore` in a
 * package, vitest would collect the template's test): they are stored under another name.
 */
const RENAMED: Readonly<Record<string, string>> = { gitignore: ".gitignore" };

/** A workflow name the config accepts (see workflow-config.ts), made from the directory's name. */
function projectName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 64);
  return name || "my-workflow";
}

/**
 * `governor init [dir]`: a small governed workflow that runs offline at once: its tool, a
 * Cedar policy and schema, a scenario script for the model, a governor.config.json naming it,
 * and a test. Writes into a new or empty directory only.
 *
 * @returns the files written, relative to the directory.
 * @throws {GovernorError} CONFIG_INVALID when the path is a file or a directory that is not empty.
 */
export function initCommand(terminal: Terminal, dir = "."): string[] {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `${target} is a file: governor init writes a new project into a directory`,
        {
          path: target,
        },
      );
    }
    const entries = readdirSync(target);
    if (entries.length) {
      const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? ", …" : "");
      throw new GovernorError(
        "CONFIG_INVALID",
        `${target} is not empty (${shown}): governor init writes only into a new or empty directory, so it never overwrites your files; nothing was written`,
        { path: target },
      );
    }
  }
  const name = projectName(target);
  const written: string[] = [];
  for (const template of templateFiles(TEMPLATES)) {
    const relativeName = relative(TEMPLATES, template).replace(/\.tmpl$/, "");
    const file = join(
      target,
      dirname(relativeName),
      RENAMED[basename(relativeName)] ?? basename(relativeName),
    );
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, readFileSync(template, "utf8").replaceAll("{{name}}", name), { flag: "wx" });
    written.push(relative(target, file));
  }
  // As the operator typed it (quoted when it has spaces), for the `cd` they will type next.
  const shownDir = dir === "." ? "." : /\s/.test(dir) ? JSON.stringify(dir) : dir;
  terminal.out(paint(terminal, "green", `✓ created the governed workflow "${name}" in ${shownDir}`));
  for (const file of written.sort()) terminal.out(`  ${file}`);
  terminal.out();
  terminal.out("Next:");
  if (shownDir !== ".") terminal.out(`  cd ${shownDir}`);
  terminal.out("  npm install                          # the @governor packages, zod and vitest");
  terminal.out(
    "  npx governor run ./src/workflow.ts   # four cases, offline: paid, waiting, refused, denied",
  );
  terminal.out(`  npx governor run ${name.padEnd(19)} # the same, by its name in governor.config.json`);
  terminal.out("  npx vitest run                       # the test");
  return written;
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? templateFiles(path) : entry.name.endsWith(".tmpl") ? [path] : [];
  });
}
