import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GovernorError } from "@governor/errors";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import { createConsoleApp } from "./console-app.js";
import type { ConsoleEnv } from "./console-context.js";
import type { ConsoleOptions, RunningConsole } from "./console-options.js";
import { consoleSettingsOf } from "./console-settings.js";
import { newConsoleSecrets } from "./security/console-secrets.js";

/**
 * Serves the console on `host:port` (default 127.0.0.1 and a free port).
 *
 * The app is built once the port is known, because the Host check needs it (port 0 picks one
 * at bind time); no request can arrive before the socket listens.
 *
 * @example
 * const console = await startConsole({ runtime, workflows, workflowFor });
 * process.stdout.write(`Governor console on ${console.url}\n`);
 *
 * @throws {GovernorError} CONFIG_INVALID for a non-loopback host without allowRemote and
 *   approverTokens, a port in use (naming it), or an address that cannot be bound.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const settings = consoleSettingsOf(options);
  const stop = new AbortController();
  let app: Hono<ConsoleEnv> | undefined;
  const server = createAdaptorServer({
    fetch: (request, env) =>
      app ? app.fetch(request, env) : new Response("The console is starting", { status: 503 }),
  }) as Server;
  const port = await listen(server, settings.host, settings.port);
  app = createConsoleApp({ ...options, port }, newConsoleSecrets(), { signal: stop.signal });
  const hostInUrl = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${hostInUrl}:${port}`,
    close: async () => {
      stop.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Live streams and keep-alive sockets would hold close() open: end them.
        server.closeIdleConnections();
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      const message =
        error.code === "EADDRINUSE"
          ? `Port ${port} on ${host} is in use: stop what holds it, or pass --port with another (0 picks a free one)`
          : error.code === "EACCES"
            ? `Not allowed to listen on ${where}: pick a port above 1023 (--port)`
            : error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND"
              ? `${host} is not an address of this machine (--host)`
              : `Could not listen on ${where}: ${error.message}`;
      reject(
        new GovernorError("CONFIG_INVALID", message, { host, port, code: error.code }, { cause: error }),
      );
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
