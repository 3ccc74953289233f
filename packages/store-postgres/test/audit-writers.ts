import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pollUntil } from "@governor/testing-services";

const worker = fileURLToPath(new URL("./audit-append-worker.ts", import.meta.url));
const root = fileURLToPath(new URL("../../..", import.meta.url));

/** What one writer process appended: the seq each of its records got, by its index. */
export interface WriterResult {
  readonly writer: string;
  readonly seqs: number[];
  readonly ms: number;
}

/**
 * A tsconfig that maps every @governor package to its TypeScript source, so the writers run
 * the code under test (as vitest's aliases do), never a stale dist/.
 */
function sourceTsconfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), "governor-audit-writers-")), "tsconfig.json");
  writeFileSync(
    file,
    JSON.stringify({
      compilerOptions: { baseUrl: root, paths: { "@governor/*": ["packages/*/src/index.ts"] } },
    }),
  );
  return file;
}

/**
 * Starts `writers` processes (audit-append-worker.ts), each with its own pool on `url`, waits
 * until every one has opened the journal, starts them all at once, and collects what each
 * appended.
 *
 * @throws {Error} when a writer fails, or is not ready or done within `timeoutMs`.
 */
export async function appendFromProcesses(
  url: string,
  options: { writers: number; records: number; lanes: number; auditKey: string; timeoutMs: number },
): Promise<WriterResult[]> {
  const env = { ...process.env, GOVERNOR_AUDIT_KEY: options.auditKey, TSX_TSCONFIG_PATH: sourceTsconfig() };
  const children = Array.from({ length: options.writers }, (_, writer) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", worker, url, String(writer), String(options.records), String(options.lanes)],
      { cwd: root, env, stdio: ["pipe", "pipe", "pipe"] },
    );
    const output = { stdout: "", stderr: "", exit: undefined as number | null | undefined };
    child.stdout.on("data", (chunk) => {
      output.stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output.stderr += chunk;
    });
    child.on("exit", (code) => {
      output.exit = code;
    });
    return { child, output };
  });
  try {
    const failed = () => {
      const dead = children.find(({ output }) => output.exit !== undefined && output.exit !== 0);
      return dead ? `a writer exited with ${dead.output.exit}: ${dead.output.stderr}` : undefined;
    };
    await pollUntil(
      "the writers",
      () => children.every(({ output }) => output.stdout.includes("ready\n")),
      options.timeoutMs,
      failed,
    );
    for (const { child } of children) child.stdin?.write("go\n");
    await pollUntil(
      "the writers' appends",
      () => children.every(({ output }) => output.exit === 0),
      options.timeoutMs,
      failed,
    );
    return children.map(
      ({ output }) => JSON.parse(output.stdout.trim().split("\n").at(-1) ?? "") as WriterResult,
    );
  } finally {
    for (const { child } of children) stop(child);
  }
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.pid !== undefined) child.kill();
}
