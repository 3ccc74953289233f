import { startTracingOrWarn, type TracingHandle } from "@governor/observability";

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
  started ??= startTracingOrWarn(warn, "serving untraced");
  return started;
}
