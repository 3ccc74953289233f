/**
 * The process's peak resident memory while a load runs. A timer samples it, and so does
 * every caller of `sample()` (sessions as they end), since a saturated event loop fires the
 * timer late; the OS's own high-water mark (`maxRSS`) is taken at the end as well.
 */
export class ResourceSampler {
  #peakRss = process.memoryUsage.rss();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs = 200) {
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    this.#peakRss = Math.max(this.#peakRss, process.memoryUsage.rss());
  }

  /** Stops sampling; the peak in MB (the larger of the samples and the OS's high-water mark). */
  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return Math.max(this.#peakRss, process.resourceUsage().maxRSS * 1024) / (1024 * 1024);
  }
}
