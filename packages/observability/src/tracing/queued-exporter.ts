import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { classifyExportError, ExportTimeoutError } from "./export-problem.js";
import type { ExportCounts, ExportProblem, ExportProblemKind } from "./tracing-report.js";

/** How the queue batches and bounds its exports. */
export interface QueuedExporterOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxQueueSize: number;
  /** Bound on one export; the inner exporter's own timeout should be this too. */
  readonly timeoutMs: number;
}

/** Grace beyond the inner exporter's own timeout before this queue gives up on a batch. */
const GUARD_GRACE_MS = 1_000;

/**
 * After a batch fails, the endpoint is taken for down this long: batches in the meantime are
 * dropped and counted without an attempt. A refused, hanging or unauthorized endpoint then costs
 * one failed export (the OTLP exporter retries a network error up to five times inside it) per
 * period, not serialising and re-sending every batch. Hand-written because it is one timestamp:
 * a circuit-breaker library would add a dependency for a comparison.
 */
const DOWN_FOR_MS = 10_000;

/**
 * A span exporter that never makes its caller wait: `export` queues and returns at once.
 *
 * Batches go out one at a time, when a batch is full or after `flushIntervalMs`, through the
 * inner (OTLP) exporter. At most `maxQueueSize` spans wait; beyond that spans are dropped and
 * counted, so a dead or slow endpoint costs a run a bounded amount of memory and no time.
 * Each batch's outcome is counted (exported / failed) and the first error of each kind kept,
 * for the report at shutdown.
 */
export class QueuedExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #options: QueuedExporterOptions;
  #queue: ReadableSpan[] = [];
  #sending: Promise<void> | undefined;
  /** Settles the batch in flight: used to give up on it when the shutdown's time runs out. */
  #inFlight: ((result: ExportResult) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Send incomplete batches too (the interval elapsed, or a flush was asked for). */
  #flushAll = false;
  #closed = false;
  #exported = 0;
  #failed = 0;
  #dropped = 0;
  /** Until when (epoch ms) the endpoint counts as down after a failed batch. */
  #downUntil = 0;
  readonly #problems = new Map<ExportProblemKind, ExportProblem>();

  constructor(inner: SpanExporter, options: QueuedExporterOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  /** Queues the spans and reports success at once: delivery is in the counts, not the callback. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    for (const span of spans) {
      if (this.#closed || this.#queue.length >= this.#options.maxQueueSize) this.#dropped++;
      else this.#queue.push(span);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
    if (this.#queue.length >= this.#options.batchSize) this.#pump();
    else this.#schedule();
  }

  /** Sends everything queued; resolves when the queue is empty (bound it with a timeout). */
  async forceFlush(): Promise<void> {
    while (this.#queue.length > 0 || this.#sending) {
      this.#flushAll = true;
      this.#pump();
      await this.#sending;
    }
  }

  /**
   * Stops taking spans. With `abandon`, spans still queued count as dropped and a batch still
   * in flight as failed (no answer before exit); the inner exporter is then shut down in the
   * background so a hanging request cannot hold the caller.
   */
  close(abandon: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (abandon) {
      this.#dropped += this.#queue.length;
      this.#queue = [];
      this.#inFlight?.({
        code: ExportResultCode.FAILED,
        error: new ExportTimeoutError(this.#options.timeoutMs),
      });
    }
    this.#inner.shutdown().catch(() => undefined);
  }

  /** For the SDK's own shutdown path: flushes, then closes. Bound it with a timeout. */
  async shutdown(): Promise<void> {
    if (!this.#closed) await this.forceFlush();
    this.close(false);
  }

  counts(): ExportCounts {
    return {
      exported: this.#exported,
      failed: this.#failed,
      dropped: this.#dropped,
      errors: [...this.#problems.values()],
    };
  }

  #schedule(): void {
    if (this.#timer || this.#sending || this.#closed || this.#queue.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushAll = true;
      this.#pump();
    }, this.#options.flushIntervalMs);
    // A pending batch never keeps a process alive: the flush at shutdown sends it.
    this.#timer.unref();
  }

  #pump(): void {
    if (this.#sending) return;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#sending = this.#drain().finally(() => {
      this.#sending = undefined;
      this.#schedule();
    });
  }

  async #drain(): Promise<void> {
    const { batchSize } = this.#options;
    while (this.#queue.length >= batchSize || (this.#flushAll && this.#queue.length > 0)) {
      const batch = this.#queue.splice(0, batchSize);
      if (Date.now() < this.#downUntil) this.#dropped += batch.length;
      else await this.#send(batch);
    }
    this.#flushAll = false;
  }

  #send(batch: ReadableSpan[]): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: ExportResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        this.#inFlight = undefined;
        this.#count(batch.length, result);
        resolve();
      };
      // The inner exporter has its own timeout; this one only catches an exporter that never calls back.
      const timeoutMs = this.#options.timeoutMs;
      const guard = setTimeout(
        () => settle({ code: ExportResultCode.FAILED, error: new ExportTimeoutError(timeoutMs) }),
        timeoutMs + GUARD_GRACE_MS,
      );
      guard.unref();
      this.#inFlight = settle;
      try {
        this.#inner.export(batch, settle);
      } catch (error) {
        settle({ code: ExportResultCode.FAILED, error: error as Error });
      }
    });
  }

  #count(spans: number, result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) {
      this.#exported += spans;
      this.#downUntil = 0;
      return;
    }
    this.#failed += spans;
    this.#downUntil = Date.now() + DOWN_FOR_MS;
    const problem = classifyExportError(result.error);
    const seen = this.#problems.get(problem.kind);
    this.#problems.set(
      problem.kind,
      seen ? { ...seen, batches: seen.batches + 1 } : { ...problem, batches: 1 },
    );
  }
}
