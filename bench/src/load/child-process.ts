import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * A script of this directory as a child process would run it: the same file kind as this
 * module (`.js` when built, `.ts` under tsx), with this process's Node flags (a loader included).
 */
export function siblingScript(name: string): { readonly file: string; readonly execArgv: string[] } {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return {
    file: fileURLToPath(new URL(`./${name}${ext}`, import.meta.url)),
    execArgv: [...process.execArgv],
  };
}

/**
 * Runs a sibling script with JSON `request` as its argument and parses the last line it
 * prints as JSON. Its stderr passes through, so progress and failures show as they happen.
 *
 * @throws {Error} when the child exits non-zero or prints no JSON.
 */
export function runJsonChild<T>(
  name: string,
  request: unknown,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const { file, execArgv } = siblingScript(name);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, file, JSON.stringify(request)], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${name} exited with ${code}: ${line.slice(0, 500)}`));
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${name} printed no JSON result: ${line.slice(0, 500)}`));
      }
    });
  });
}
