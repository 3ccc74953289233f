import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createConnection } from "node:net";
import { freePort } from "./free-port.js";
import { pollUntil } from "./poll.js";

/** A redis-server this process started, owned by the test that started it. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT`, for `REDIS_URL`. */
  readonly url: string;
  readonly port: number;
  /** SIGKILLs the server (nothing is saved: it runs with `--save ''`). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty unless `appendonly` was asked for. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(2_000);
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts `redis-server --port P --save ''` on a free port bound to 127.0.0.1 and waits until
 * it answers PING. With `appendonly`, it keeps an append-only file in a temp dir so a restart
 * keeps its data (how a production Redis behind BullMQ is run).
 */
export async function startRedis(
  options: { timeoutMs?: number; appendonly?: boolean } = {},
): Promise<RedisServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!spawnSync("which", ["redis-server"]).stdout.toString().trim())
    throw new Error("redis-server not found: install it (Debian: apt-get install -y redis-server)");
  const port = await freePort();
  const dir = options.appendonly
    ? (await import("node:fs")).mkdtempSync(`${(await import("node:os")).tmpdir()}/governor-redis-`)
    : undefined;
  let child: ChildProcess | undefined;
  let exited: string | undefined;
  const start = async () => {
    exited = undefined;
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", ""];
    if (dir) args.push("--appendonly", "yes", "--appendfsync", "always", "--dir", dir);
    child = spawn("redis-server", args, { stdio: "ignore" });
    child.on("exit", (code, signal) => {
      exited = `exited (${signal ?? code})`;
    });
    await pollUntil(
      "redis-server",
      () => ping(port),
      timeoutMs,
      () => exited,
    );
  };
  const stopChild = async (signal: NodeJS.Signals) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once("exit", () => resolve());
      current.kill(signal);
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => stopChild("SIGKILL"),
    restart: start,
    async stop() {
      await stopChild("SIGTERM");
      if (dir) (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
    },
  };
}
