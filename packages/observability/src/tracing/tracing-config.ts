import { GovernorError } from "@governor/errors";

/** Where spans go: nowhere, a Langfuse project, or any OTLP/HTTP collector. */
export type TracingConfig = DisabledTracing | LangfuseTracing | OtlpTracing;

/** No endpoint configured: nothing is loaded and nothing is sent. */
export interface DisabledTracing {
  readonly kind: "disabled";
}

/** Shared by both enabled destinations: batching and the bound on each export. */
interface EnabledTracing {
  /** The full URL spans are POSTed to (OTLP/JSON over HTTP). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Per-export timeout, and the default bound on the flush at shutdown. */
  readonly timeoutMs: number;
  /** Spans per request. */
  readonly batchSize: number;
  /** How long an incomplete batch waits before it is sent. */
  readonly flushIntervalMs: number;
  /** Spans held while the endpoint is slow or down; beyond it spans are dropped and counted. */
  readonly maxQueueSize: number;
  readonly serviceName: string;
}

/** Langfuse's OTLP endpoint with Basic auth (public key : secret key). */
export interface LangfuseTracing extends EnabledTracing {
  readonly kind: "langfuse";
  readonly baseUrl: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

/** A plain OpenTelemetry collector (OTEL_EXPORTER_OTLP_ENDPOINT). */
export interface OtlpTracing extends EnabledTracing {
  readonly kind: "otlp";
}

export type TracingEnv = Readonly<Record<string, string | undefined>>;

const LANGFUSE_KEYS = ["LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_BASE_URL"] as const;

const DEFAULTS = { timeoutMs: 5_000, batchSize: 512, flushIntervalMs: 1_000, maxQueueSize: 2_048 };

/**
 * Reads the tracing settings from the environment.
 *
 * All three LANGFUSE_* variables → Langfuse; otherwise OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT →
 * that collector; otherwise disabled. A partial Langfuse setting is an error rather than a
 * silent "disabled", so a typo in one variable does not quietly lose every trace.
 *
 * @throws {GovernorError} TRACING_CONFIG_INVALID naming the variable: one or two of the
 *   Langfuse variables set without the others, an endpoint that is not an http(s) URL, a
 *   timeout or batch setting that is not a positive number, a malformed OTLP header list.
 */
export function tracingConfigFromEnv(env: TracingEnv = process.env): TracingConfig {
  if (isTrue(env.OTEL_SDK_DISABLED)) return { kind: "disabled" };
  const set = LANGFUSE_KEYS.filter((key) => nonEmpty(env[key]));
  if (set.length === LANGFUSE_KEYS.length) return langfuseConfig(env);
  if (set.length > 0) {
    const missing = LANGFUSE_KEYS.filter((key) => !set.includes(key));
    throw new GovernorError(
      "TRACING_CONFIG_INVALID",
      `Langfuse tracing needs ${LANGFUSE_KEYS.join(", ")}: ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not. Set ${missing.length === 1 ? "it" : "them"}, or unset ${set.join(", ")} to run untraced.`,
      { variables: missing },
    );
  }
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (nonEmpty(traces)) return otlpConfig(env, httpUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces));
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (nonEmpty(endpoint)) {
    // The OTLP spec: the signal path is appended to the general endpoint, the signal-specific one is used as is.
    return otlpConfig(env, `${httpUrl("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)}/v1/traces`);
  }
  return { kind: "disabled" };
}

function langfuseConfig(env: TracingEnv): LangfuseTracing {
  const baseUrl = httpUrl("LANGFUSE_BASE_URL", env.LANGFUSE_BASE_URL ?? "");
  const publicKey = (env.LANGFUSE_PUBLIC_KEY ?? "").trim();
  const secretKey = (env.LANGFUSE_SECRET_KEY ?? "").trim();
  return {
    kind: "langfuse",
    baseUrl,
    publicKey,
    secretKey,
    url: `${baseUrl}/api/public/otel/v1/traces`,
    headers: {
      Authorization: `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString("base64")}`,
      "x-langfuse-public-key": publicKey,
      "x-langfuse-sdk-name": "javascript",
    },
    // Langfuse's own variables, in Langfuse's units (seconds).
    timeoutMs: positive(env, "LANGFUSE_TIMEOUT", DEFAULTS.timeoutMs / 1000) * 1000,
    batchSize: Math.floor(positive(env, "LANGFUSE_FLUSH_AT", DEFAULTS.batchSize)),
    flushIntervalMs: positive(env, "LANGFUSE_FLUSH_INTERVAL", DEFAULTS.flushIntervalMs / 1000) * 1000,
    // Langfuse has no setting for it; OTel's applies to both destinations.
    maxQueueSize: Math.floor(positive(env, "OTEL_BSP_MAX_QUEUE_SIZE", DEFAULTS.maxQueueSize)),
    serviceName: serviceName(env),
  };
}

function otlpConfig(env: TracingEnv, url: string): OtlpTracing {
  // The traces-specific setting wins over the general one, as for the endpoint.
  requireHttp(
    env,
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL)
      ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
      : "OTEL_EXPORTER_OTLP_PROTOCOL",
  );
  return {
    kind: "otlp",
    url,
    headers: {
      ...otlpHeaders(env, "OTEL_EXPORTER_OTLP_HEADERS"),
      ...otlpHeaders(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
    },
    // OTel's variables, in OTel's units (milliseconds).
    timeoutMs: positive(env, "OTEL_EXPORTER_OTLP_TIMEOUT", DEFAULTS.timeoutMs),
    batchSize: Math.floor(positive(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", DEFAULTS.batchSize)),
    flushIntervalMs: positive(env, "OTEL_BSP_SCHEDULE_DELAY", DEFAULTS.flushIntervalMs),
    maxQueueSize: Math.floor(positive(env, "OTEL_BSP_MAX_QUEUE_SIZE", DEFAULTS.maxQueueSize)),
    serviceName: serviceName(env),
  };
}

/** An http(s) URL without its trailing slashes, or TRACING_CONFIG_INVALID naming the variable. */
function httpUrl(variable: string, value: string): string {
  const text = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new GovernorError(
      "TRACING_CONFIG_INVALID",
      `${variable} must be an http:// or https:// URL, got ${JSON.stringify(value)}`,
      { variable },
    );
  }
  return text.replace(/\/+$/, "");
}

/**
 * Governor sends OTLP/JSON over HTTP, which every OTLP/HTTP receiver accepts beside protobuf;
 * a collector's gRPC port would only answer with errors, so asking for gRPC is a setting error.
 */
function requireHttp(env: TracingEnv, variable: string): void {
  const value = env[variable]?.trim();
  if (!value || value === "http/json" || value === "http/protobuf") return;
  throw new GovernorError(
    "TRACING_CONFIG_INVALID",
    `${variable}=${value} is not supported: Governor exports OTLP over HTTP (http/json). Set ${variable}=http/json and point the endpoint at the collector's HTTP port (usually 4318).`,
    { variable },
  );
}

/** `key=value,key2=value2` with URL-encoded values (the OTLP exporter's header format). */
function otlpHeaders(env: TracingEnv, variable: string): Record<string, string> {
  const raw = env[variable];
  if (!nonEmpty(raw)) return {};
  const headers: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    if (pair.trim() === "") continue;
    const at = pair.indexOf("=");
    const key = at > 0 ? pair.slice(0, at).trim() : "";
    if (key === "") {
      throw new GovernorError(
        "TRACING_CONFIG_INVALID",
        `${variable} must be a list of key=value pairs separated by commas; ${JSON.stringify(pair.trim())} has no key`,
        { variable },
      );
    }
    headers[key] = decode(variable, pair.slice(at + 1).trim());
  }
  return headers;
}

function decode(variable: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new GovernorError(
      "TRACING_CONFIG_INVALID",
      `${variable} has a value that is not URL-encoded: ${value}`,
      {
        variable,
      },
    );
  }
}

function positive(env: TracingEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (!nonEmpty(raw)) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new GovernorError(
      "TRACING_CONFIG_INVALID",
      `${variable} must be a positive number, got ${JSON.stringify(raw)}`,
      {
        variable,
      },
    );
  }
  return value;
}

function serviceName(env: TracingEnv): string {
  return nonEmpty(env.OTEL_SERVICE_NAME) ? env.OTEL_SERVICE_NAME.trim() : "governor";
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}
