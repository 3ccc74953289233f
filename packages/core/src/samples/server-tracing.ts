import { GovernorError } from "@governor/errors";
import { DISABLED_TRACING, startTracing, type TracingHandle } from "@governor/observability";

let started: Promise<TracingHandle> | undefined;

/**
 * Tracing for a process that serves graphs (LangGraph's API server, and so Studio): started
 * from the environment once, however many graphs the server loads. Its runs have no
 * GovernorRuntime around them, so their nodes hang under the thread's virtual root (the same
 * trace `governor` commands write to for that thread). A server runs until it is stopped:
 * spans leave in the exporter's batches, and a malformed setting is one warning, never a
 * server that does not start.
 */
export function startServerTracing(warn: (line: string) => void = console.warn): Promise<TracingHandle> {
  started ??= startTracing().catch((error: unknown) => {
    const code = error instanceof GovernorError ? ` [${error.code}]` : "";
    warn(`warning${code}: ${error instanceof Error ? error.message : String(error)}; serving untraced`);
    return DISABLED_TRACING;
  });
  return started;
}
