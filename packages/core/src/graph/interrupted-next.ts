/** The parts of a LangGraph state snapshot that say what runs next. */
interface SnapshotTasks {
  next: readonly string[];
  tasks: readonly {
    readonly name: string;
    readonly interrupts?: readonly unknown[];
    readonly result?: unknown;
    readonly error?: unknown;
  }[];
}

/**
 * `next` as a reader of the snapshot expects it: every task still waiting at an interrupt
 * is in it.
 *
 * LangGraph (1.4) leaves a task out of `next` as soon as it has any pending write, and a
 * resume value is one: after a refused answer (the node interrupted again) `next` is `[]`
 * although the approval node is still interrupted, and Studio shows the run as finished.
 * A task that interrupted and wrote no output (no `result`) and no error has not run to
 * its end, so it is put back.
 */
export function withInterruptedNext<T extends SnapshotTasks>(snapshot: T): T {
  const waiting = snapshot.tasks
    .filter((task) => (task.interrupts?.length ?? 0) > 0 && task.result === undefined && !task.error)
    .map((task) => task.name)
    .filter((name) => !snapshot.next.includes(name));
  if (!waiting.length) return snapshot;
  return { ...snapshot, next: [...snapshot.next, ...waiting] };
}

/** The one method whose answer is corrected. */
interface ReadsState {
  getState(config: unknown, options?: unknown): Promise<SnapshotTasks>;
}

/**
 * Makes a compiled graph's `getState()` list interrupted tasks in `next` (see
 * withInterruptedNext): LangGraph's API server reads thread state through it, so Studio and
 * SDK clients see the approval node as next while it waits, refused answers or not.
 */
export function keepInterruptedTasksNext<TGraph>(graph: TGraph): TGraph {
  const target = graph as unknown as ReadsState;
  const inner = target.getState;
  target.getState = async (config: unknown, options?: unknown) =>
    withInterruptedNext(await inner.call(graph, config, options));
  return graph;
}
