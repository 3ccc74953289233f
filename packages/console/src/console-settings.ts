import { GovernorError } from "@governor/errors";
import type { ConsoleOptions } from "./console-options.js";
import { isLoopbackHost } from "./security/allowed-hosts.js";

/** The options with their defaults, checked. */
export interface ConsoleSettings {
  readonly host: string;
  readonly port: number;
  readonly pollMs: number;
  readonly loopback: boolean;
}

/**
 * Checks the console's options before anything is bound or served: a console reachable from
 * other machines without approver authentication would let anyone on the network approve a
 * refund as the local approver, so a non-loopback host needs both flags, or nothing starts.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the option (and the CLI flag) that is wrong or missing.
 */
export function consoleSettingsOf(
  options: Pick<ConsoleOptions, "host" | "port" | "pollMs" | "allowRemote" | "approverTokens">,
): ConsoleSettings {
  const host = options.host ?? "127.0.0.1";
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Console host "${host}" is not a host name or IP address (--host)`,
      {
        host,
      },
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new GovernorError("CONFIG_INVALID", `Console port ${port} is not a port number 0-65535 (--port)`, {
      port,
    });
  }
  const pollMs = options.pollMs ?? 500;
  if (!Number.isInteger(pollMs) || pollMs < 10 || pollMs > 60_000) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Console pollMs ${pollMs} must be a whole number of ms from 10 to 60000`,
      {
        pollMs,
      },
    );
  }
  const loopback = isLoopbackHost(host);
  if (!loopback) {
    const missing = [
      ...(options.allowRemote === true ? [] : ["--allow-remote (allowRemote)"]),
      ...(options.approverTokens ? [] : ["approver tokens (approverTokens)"]),
    ];
    if (missing.length) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Refusing to serve the console on ${host}, which is not a loopback address, without ${missing.join(" and ")}: off loopback anyone who reaches the port could decide approvals, so every decision must carry a signed approver token. Bind 127.0.0.1, or give both`,
        { host, missing },
      );
    }
  }
  return { host, port, pollMs, loopback };
}
