import { GovernorError } from "@governor/errors";
import { describe, expect, it } from "vitest";
import { tracingConfigFromEnv } from "./tracing-config.js";

const langfuse = {
  LANGFUSE_PUBLIC_KEY: "pk",
  LANGFUSE_SECRET_KEY: "sk",
  LANGFUSE_BASE_URL: "https://lf.example.com/",
};

function configError(env: Record<string, string>): GovernorError {
  try {
    tracingConfigFromEnv(env);
  } catch (error) {
    if (error instanceof GovernorError) return error;
    throw error;
  }
  throw new Error("expected TRACING_CONFIG_INVALID");
}

describe("tracingConfigFromEnv", () => {
  it("is disabled with no endpoint at all", () => {
    expect(tracingConfigFromEnv({})).toEqual({ kind: "disabled" });
  });

  it("uses Langfuse's OTLP path and Basic auth when all three variables are set", () => {
    const config = tracingConfigFromEnv({
      ...langfuse,
      LANGFUSE_TIMEOUT: "2",
      LANGFUSE_FLUSH_AT: "10",
      OTEL_BSP_MAX_QUEUE_SIZE: "8192",
    });
    expect(config).toMatchObject({
      kind: "langfuse",
      url: "https://lf.example.com/api/public/otel/v1/traces",
      headers: { Authorization: `Basic ${Buffer.from("pk:sk").toString("base64")}` },
      timeoutMs: 2_000,
      batchSize: 10,
      maxQueueSize: 8192,
    });
  });

  it("prefers Langfuse over a plain OTLP endpoint", () => {
    expect(
      tracingConfigFromEnv({ ...langfuse, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).kind,
    ).toBe("langfuse");
  });

  it("appends /v1/traces to the general OTLP endpoint but takes the traces endpoint as is", () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toMatchObject({
      kind: "otlp",
      url: "http://collector:4318/v1/traces",
    });
    expect(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/custom" }),
    ).toMatchObject({
      url: "http://collector:4318/custom",
    });
  });

  it("names the missing variable when only some Langfuse variables are set", () => {
    const error = configError({ LANGFUSE_PUBLIC_KEY: "pk", LANGFUSE_BASE_URL: "http://127.0.0.1:3000" });
    expect(error.code).toBe("TRACING_CONFIG_INVALID");
    expect(error.message).toMatch(/LANGFUSE_SECRET_KEY is not/);
    expect(error.details).toEqual({ variables: ["LANGFUSE_SECRET_KEY"] });
  });

  it("refuses a base URL that is not http(s), naming the variable", () => {
    for (const url of ["lf.example.com", "ftp://lf.example.com", "not a url"]) {
      const error = configError({ ...langfuse, LANGFUSE_BASE_URL: url });
      expect(error.code).toBe("TRACING_CONFIG_INVALID");
      expect(error.message).toContain("LANGFUSE_BASE_URL must be an http:// or https:// URL");
    }
    expect(configError({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }).message).toContain(
      "OTEL_EXPORTER_OTLP_ENDPOINT",
    );
  });

  it("refuses gRPC, which an OTLP/HTTP exporter cannot speak, and accepts either HTTP encoding", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4317" };
    const error = configError({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" });
    expect(error.code).toBe("TRACING_CONFIG_INVALID");
    expect(error.message).toContain("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported");
    expect(tracingConfigFromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" }).kind).toBe(
      "otlp",
    );
  });

  it("refuses a timeout that is not a positive number and a header without a key", () => {
    expect(configError({ ...langfuse, LANGFUSE_TIMEOUT: "soon" }).message).toContain("LANGFUSE_TIMEOUT");
    expect(configError({ ...langfuse, LANGFUSE_TIMEOUT: "0" }).message).toContain("LANGFUSE_TIMEOUT");
    expect(
      configError({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_HEADERS: "=v" }).message,
    ).toContain("OTEL_EXPORTER_OTLP_HEADERS");
  });
});
