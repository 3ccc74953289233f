import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";
import { pollUntil } from "./poll.js";

const run = promisify(execFile);

/** A PostgreSQL server this process started in a temp dir, owned by the test that started it. */
export interface PostgresServer {
  /** `postgres://…@127.0.0.1:PORT/postgres`, for `DATABASE_URL`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** A fresh, empty database on this server; its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server immediately (`pg_ctl stop -m immediate`): what a crash looks like to clients. */
  kill(): Promise<void>;
  /**
   * Stops every process of this server (SIGSTOP) without closing a socket: to its clients the
   * database answers nothing, as behind a network partition. `thaw` lets it go on.
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Starts it again on the same port and data dir, after `kill` or `stop`. */
  restart(): Promise<void>;
  /** Stops it and removes its data dir. */
  stop(): Promise<void>;
}

/** Where PostgreSQL's programs are: on PATH, else Debian's /usr/lib/postgresql/<major>/bin. */
function pgBin(program: string): string {
  const onPath = spawnSync("which", [program], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath;
  for (const major of ["17", "16", "15", "14"]) {
    const candidate = `/usr/lib/postgresql/${major}/bin/${program}`;
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${program} not found: install PostgreSQL (Debian: apt-get install -y postgresql)`);
}

// initdb refuses to run as root; tests on CI machines often are root. The server then runs as
// an unprivileged user that owns the temp dir.
const asRoot = process.getuid?.() === 0;
const RUN_AS = "nobody";

async function pg(program: string, args: string[], cwd: string): Promise<void> {
  const bin = pgBin(program);
  if (asRoot) await run("runuser", ["-u", RUN_AS, "--", bin, ...args], { cwd });
  else await run(bin, args, { cwd });
}

/**
 * Starts a throwaway PostgreSQL: `initdb` in a temp dir, `pg_ctl start` on a free port bound
 * to 127.0.0.1, trust authentication (nothing but this machine can reach it). Waits until it
 * accepts connections (`pg_isready`), however long a loaded machine takes, up to `timeoutMs`.
 */
export async function startPostgres(options: { timeoutMs?: number } = {}): Promise<PostgresServer> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const dataDir = mkdtempSync(join(tmpdir(), "governor-pg-"));
  if (asRoot) await run("chown", [RUN_AS, dataDir]);
  await pg("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], dataDir);
  const port = await freePort();
  const user = "postgres";
  const start = () =>
    pg(
      "pg_ctl",
      [
        "-D",
        dataDir,
        "-l",
        join(dataDir, "server.log"),
        "-o",
        // fsync off: a test database need not survive a power cut, and it is much faster.
        `-p ${port} -c listen_addresses=127.0.0.1 -k ${dataDir} -c fsync=off -c max_connections=300`,
        "start",
      ],
      dataDir,
    );
  const ready = async () => {
    try {
      await run(pgBin("pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-U", user]);
      return true;
    } catch {
      return false;
    }
  };
  await start();
  await pollUntil("PostgreSQL", ready, timeoutMs);
  const url = `postgres://${user}@127.0.0.1:${port}/postgres`;
  let databases = 0;
  const stopWith = (mode: "fast" | "immediate") =>
    pg("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "stop"], dataDir).catch(() => undefined);
  return {
    url,
    port,
    dataDir,
    async createDatabase(name = `governor_test_${process.pid}_${++databases}`) {
      await run(pgBin("createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", user, name]);
      return `postgres://${user}@127.0.0.1:${port}/${name}`;
    },
    async kill() {
      await stopWith("immediate");
    },
    freeze: () => signalServer(dataDir, "SIGSTOP"),
    thaw: () => signalServer(dataDir, "SIGCONT"),
    async restart() {
      await start();
      await pollUntil("PostgreSQL", ready, timeoutMs);
    },
    async stop() {
      await stopWith("fast");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends `signal` to this server's postmaster (its pid is the first line of postmaster.pid) and
 * to each of its children, and only those: other tests' servers run as the same user.
 */
async function signalServer(dataDir: string, signal: NodeJS.Signals): Promise<void> {
  const postmaster = Number((await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 0) throw new Error(`no postmaster pid in ${dataDir}`);
  const children = spawnSync("pgrep", ["-P", String(postmaster)], { encoding: "utf8" })
    .stdout.split("\n")
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  // The postmaster first on SIGSTOP (it forks no new backend meanwhile), last on SIGCONT.
  const order = signal === "SIGSTOP" ? [postmaster, ...children] : [...children, postmaster];
  for (const pid of order) process.kill(pid, signal);
}
