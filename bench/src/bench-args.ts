import { isAbsolute, resolve } from "node:path";

/** What `npm run bench -- [suite] [--compare previous.json] [--out file.json]` asked for. */
export interface BenchArgs {
  /** "table" (the default), "all", or one suite by name. */
  readonly suite: string;
  /** An earlier results file to compare the table with, resolved against the caller's directory. */
  readonly compare?: string;
  /** Where to write the results (default bench/results/latest.json), resolved like `compare`. */
  readonly out?: string;
}

/**
 * Parses the bench's arguments. Relative paths are taken from the directory `npm run bench`
 * was started in (npm's INIT_CWD), not from bench/, where npm runs the workspace script.
 *
 * @throws {Error} on an unknown option, a missing value, or more than one suite.
 */
export function parseBenchArgs(
  argv: readonly string[],
  cwd: string = process.env.INIT_CWD ?? process.cwd(),
): BenchArgs {
  let suite: string | undefined;
  let compare: string | undefined;
  let out: string | undefined;
  const path = (value: string) => (isAbsolute(value) ? value : resolve(cwd, value));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") ? (arg.split(/=(.*)/s, 2) as [string, string?]) : [arg];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === "") throw new Error(`${flag} needs a file`);
      return path(next);
    };
    if (flag === "--compare") compare = value();
    else if (flag === "--out") out = value();
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}: use --compare FILE or --out FILE`);
    else if (suite !== undefined) throw new Error(`one suite at a time: got "${suite}" and "${arg}"`);
    else suite = arg;
  }
  return { suite: suite ?? "table", compare, out };
}
