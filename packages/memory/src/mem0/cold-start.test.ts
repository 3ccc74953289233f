import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const memoryIndex = fileURLToPath(new URL("../index.ts", import.meta.url));

describe("cold start", () => {
  it("importing @governor/memory loads neither mem0ai nor @langchain/openai; the first index write loads Mem0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mem0-cold-"));
    try {
      // A resolve hook in the child reports every module URL it loads.
      writeFileSync(
        join(dir, "hook.mjs"),
        `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("LOAD " + r.url + "\\n"); return r; }`,
      );
      writeFileSync(
        join(dir, "register.mjs"),
        `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hook.mjs")).href)});`,
      );
      writeFileSync(
        join(dir, "main.mts"),
        `const m = await import(${JSON.stringify(pathToFileURL(memoryIndex).href)});
process.stderr.write("IMPORTED\\n");
const index = new m.Mem0FactIndex({ dir: ":memory:" });
process.stderr.write("CONSTRUCTED\\n");
await index.upsert("t=a", { entity: "e", attribute: "a" }, "e a: v");
process.stderr.write("WRITTEN\\n");`,
      );
      const { stderr } = await run(
        process.execPath,
        ["--import", join(dir, "register.mjs"), "--import", "tsx", join(dir, "main.mts")],
        { cwd: process.cwd(), env: { ...process.env, MEM0_DIR: dir }, maxBuffer: 64 * 1024 * 1024 },
      );
      const beforeWrite = stderr.slice(0, stderr.indexOf("CONSTRUCTED"));
      const write = stderr.slice(stderr.indexOf("CONSTRUCTED"), stderr.indexOf("WRITTEN"));
      expect(stderr).toContain("WRITTEN");
      expect(beforeWrite).not.toMatch(/mem0ai|@langchain\/openai/);
      expect(write).toMatch(/mem0ai\/dist\/oss/);
      expect(stderr).not.toMatch(/@langchain\/openai/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
