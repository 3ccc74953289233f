import type { ExportProblemKind } from "./tracing-report.js";

/** An export error as the kind a person acts on, its message and the HTTP status if any. */
export interface ClassifiedError {
  readonly kind: ExportProblemKind;
  readonly message: string;
  readonly status?: number;
}

/** Our own timeout on one export, raised when the exporter never called back. */
export class ExportTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
    this.name = "ExportTimeoutError";
  }
}

/**
 * Sorts what an OTLP exporter reports: Node's socket errors carry a string `code`
 * (ECONNREFUSED), the exporter's HTTP errors a numeric one (401), and its own request
 * timeout only a message ("Request timed out").
 */
export function classifyExportError(error: unknown): ClassifiedError {
  if (error instanceof ExportTimeoutError) return { kind: "timeout", message: error.message };
  const code = (error as { code?: unknown } | null)?.code;
  const message = messageOf(error, code);
  if (code === "ECONNREFUSED") return { kind: "connection-refused", message };
  if (code === "ETIMEDOUT" || /timed? ?out/i.test(message)) return { kind: "timeout", message };
  if (typeof code === "number") {
    return { kind: code === 401 || code === 403 ? "unauthorized" : "http-status", message, status: code };
  }
  return { kind: "other", message };
}

/** Node's AggregateError (happy eyeballs over IPv4 and IPv6) has an empty message but a code. */
function messageOf(error: unknown, code: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.trim() !== "") return message;
  return typeof code === "string" ? code : "export failed without a message";
}
