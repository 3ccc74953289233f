import { type ChildProcess, fork } from "node:child_process";
import { createServer } from "node:net";

/** What the sink had received when asked. */
export interface SinkStats {
  readonly requests: number;
  readonly paths: readonly string[];
  /** Every request carried Basic auth (Langfuse's public:secret key pair). */
  readonly basicAuth: boolean;
  readonly spans: number;
  /** Distinct trace ids among the spans. */
  readonly traces: number;
  /** Span names (their first word), a sample. */
  readonly names: readonly string[];
}

/** A local OTLP endpoint in a child process (see otlp-sink-child.ts). */
export interface Sink {
  readonly url: string;
  stats(): Promise<SinkStats>;
  close(): Promise<void>;
}

/**
 * Forks the sink child and waits until it listens on 127.0.0.1.
 *
 * @throws {Error} when the child exits before it is listening.
 */
export async function startSink(): Promise<Sink> {
  const child = fork(new URL("./otlp-sink-child.js", import.meta.url), [], { stdio: "inherit" });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { url: string }).url));
    child.once("exit", (code) =>
      reject(new Error(`tracing bench: the OTLP sink exited (${code}) before listening`)),
    );
  });
  return {
    url,
    stats: () => ask(child),
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send("close");
      }),
  };
}

function ask(child: ChildProcess): Promise<SinkStats> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as SinkStats));
    child.send("stats");
  });
}

/** An http URL on 127.0.0.1 where nothing listens: connections are refused at once (a dead exporter). */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
