import { GovernorError } from "@governor/errors";

/** Where a DATABASE_URL points, for messages and for the pool. */
export interface DatabaseTarget {
  /** The URL as given: passed to pg as its connection string. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The URL with its password replaced by `***`: safe to print. */
  readonly redacted: string;
}

/**
 * A URL with any password replaced by `***`, so a message or a log line never shows it.
 * Works on text that is not a valid URL too (a malformed DATABASE_URL is still redacted).
 */
export function redactUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme) return url;
  const rest = url.slice(scheme.length);
  // The last "@" ends the user info even when an unencoded "@" or "/" is in the password.
  const at = rest.lastIndexOf("@");
  const colon = rest.indexOf(":");
  if (at < 0 || colon < 0 || colon > at) return url;
  return `${scheme}${rest.slice(0, colon)}:***${rest.slice(at)}`;
}

/**
 * Checks a DATABASE_URL and says where it points.
 *
 * @throws {GovernorError} STORE_CONFIG_INVALID naming what is wrong (not a URL, another
 *   scheme, no host, a bad port), never echoing the password.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const shown = redactUrl(url);
  const invalid = (problem: string, fix: string) =>
    new GovernorError("STORE_CONFIG_INVALID", `DATABASE_URL ${problem}: ${fix}`, { url: shown });
  const example = "use postgres://USER:PASSWORD@HOST:PORT/DATABASE";
  if (!url.trim()) throw invalid("is empty", example);
  // The port is checked before URL parsing, which would only say "Invalid URL" for it; on the
  // redacted text, so no part of a password can be taken for a port and shown.
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#[\]]*):([^/?#@]*)(?=[/?#]|$)/i.exec(
    shown,
  )?.[1];
  if (port !== undefined && port !== "" && !validPort(port))
    throw invalid(`has port "${port}"`, "a port is a number from 1 to 65535");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`is not a URL (${shown})`, example);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw invalid(
      `uses "${parsed.protocol}"`,
      `only postgres:// and postgresql:// are supported; ${example}`,
    );
  // pg also takes a socket directory as ?host=/path when the URL has no host.
  const host = decodeURIComponent(parsed.hostname) || parsed.searchParams.get("host") || "";
  if (!host) throw invalid(`names no host (${shown})`, example);
  return {
    url,
    host,
    port: parsed.port ? Number(parsed.port) : 5432,
    database:
      decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || "postgres",
    redacted: shown,
  };
}

function validPort(port: string): boolean {
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}
