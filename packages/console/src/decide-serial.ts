/**
 * Runs one task at a time per run in this process. Queued decisions need it: they are stored
 * for a worker instead of resumed here, so the run's lease (which makes a second direct
 * decision find the run no longer waiting) is not taken, and two clicks at once would both
 * read "no answer stored yet" and both report success. Across processes the stored answer
 * slot still holds one answer, and the worker applies one decision.
 */
export class PerRunSerial {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(threadId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(threadId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(threadId, tail);
    // Forget the run once nothing waits behind this task, so the map does not grow with every run.
    void tail.then(() => {
      if (this.#tails.get(threadId) === tail) this.#tails.delete(threadId);
    });
    return next;
  }
}
