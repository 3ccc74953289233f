/** Whether a host is a loopback address (or the name every system maps to one). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * The Host header values the console answers: its own address and port, and on loopback the
 * `localhost` spelling of it. Anything else is a DNS-rebinding attempt (a hostile name that
 * resolves to 127.0.0.1) or a misdirected request, and is refused before any route runs.
 */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const bound = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const hosts = new Set([`${bound.toLowerCase()}:${port}`]);
  if (isLoopbackHost(host)) {
    hosts.add(`localhost:${port}`);
    hosts.add(`127.0.0.1:${port}`);
    hosts.add(`[::1]:${port}`);
  }
  return hosts;
}
