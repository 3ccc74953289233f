import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body: search it to prove a string was never sent. */
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** How the receiver answers: 200, 401 (wrong keys), or never (a hanging endpoint). */
export type ReceiverMode = "ok" | "unauthorized" | "hang";

/** One span of an OTLP/JSON export, with its attributes as plain values. */
export interface FlatSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly scope: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message?: string };
}

/** A local OTLP/HTTP endpoint for tests. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: use as LANGFUSE_BASE_URL or OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly requests: readonly ReceivedRequest[];
  /** Every span of every JSON request received so far. */
  spans(): FlatSpan[];
  setMode(mode: ReceiverMode): void;
  /** Resolves once `predicate` holds for the requests received, or rejects after `timeoutMs`. */
  waitFor(predicate: (requests: readonly ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Stops listening (later connections are refused) and drops hanging requests. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 (a free port) that records every request.
 *
 * It stands in for Langfuse or an OpenTelemetry collector, which cannot run here: a test points
 * the exporter at it and asserts on what arrived (path, auth header, spans).
 */
export async function startOtlpReceiver(mode: ReceiverMode = "ok"): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  let current = mode;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        json: parse(body),
      });
      for (const wake of waiters) wake();
      if (current === "hang") {
        hanging.add(res);
        return;
      }
      const status = current === "unauthorized" ? 401 : 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? "{}" : '{"message":"Invalid credentials"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () => requests.flatMap((request) => flattenOtlpSpans(request.json)),
    setMode: (next) => {
      current = next;
    },
    waitFor: (predicate, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(requests)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the receiver did not get the expected requests within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The spans of an OTLP/JSON export request (resourceSpans → scopeSpans → spans), attributes
 * decoded from OTLP's typed values (`{stringValue}`, `{intValue}`, `{arrayValue}` …) to plain ones.
 */
export function flattenOtlpSpans(body: unknown): FlatSpan[] {
  const spans: FlatSpan[] = [];
  for (const resourceSpans of list(field(body, "resourceSpans"))) {
    const resource = attributesOf(field(field(resourceSpans, "resource"), "attributes"));
    for (const scopeSpans of list(field(resourceSpans, "scopeSpans"))) {
      const scope = String(field(field(scopeSpans, "scope"), "name") ?? "");
      for (const span of list(field(scopeSpans, "spans"))) {
        const parent = field(span, "parentSpanId");
        const status = field(span, "status");
        const message = field(status, "message");
        spans.push({
          traceId: String(field(span, "traceId")),
          spanId: String(field(span, "spanId")),
          ...(typeof parent === "string" && parent !== "" ? { parentSpanId: parent } : {}),
          name: String(field(span, "name")),
          scope,
          attributes: attributesOf(field(span, "attributes")),
          resource,
          status: {
            code: Number(field(status, "code") ?? 0),
            ...(typeof message === "string" && message !== "" ? { message } : {}),
          },
        });
      }
    }
  }
  return spans;
}

function attributesOf(attributes: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const attribute of list(attributes)) {
    result[String(field(attribute, "key"))] = anyValue(field(attribute, "value"));
  }
  return result;
}

function anyValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const typed = value as Record<string, unknown>;
  if ("stringValue" in typed) return typed.stringValue;
  if ("boolValue" in typed) return typed.boolValue;
  // OTLP/JSON may carry 64-bit integers as strings.
  if ("intValue" in typed) return Number(typed.intValue);
  if ("doubleValue" in typed) return Number(typed.doubleValue);
  if ("arrayValue" in typed) return list(field(typed.arrayValue, "values")).map(anyValue);
  if ("kvlistValue" in typed) return attributesOf(field(typed.kvlistValue, "values"));
  return undefined;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
