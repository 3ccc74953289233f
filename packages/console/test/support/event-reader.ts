/** One server-sent event as the browser's EventSource would deliver it. */
export interface ReceivedEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * Reads a text/event-stream response as it arrives. `until` waits for an event matching a
 * predicate (every event received so far counts), failing after `timeoutMs` with what did arrive.
 */
export function readEvents(response: Response) {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("the response has no body");
  const decoder = new TextDecoder();
  const events: ReceivedEvent[] = [];
  let buffer = "";
  let ended = false;
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data: "))
          .map((line) => line.slice(6))
          .join("\n");
        if (data) events.push({ event, data: JSON.parse(data) });
        cut = buffer.indexOf("\n\n");
      }
    }
    ended = true;
  })();
  return {
    events,
    get ended() {
      return ended;
    },
    async until(
      what: string,
      match: (event: ReceivedEvent) => boolean,
      timeoutMs = 60_000,
    ): Promise<ReceivedEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (ended) throw new Error(`the stream ended before ${what}; it sent ${JSON.stringify(events)}`);
        if (Date.now() > deadline)
          throw new Error(`no ${what} after ${timeoutMs} ms; the stream sent ${JSON.stringify(events)}`);
        await Promise.race([pump, new Promise((resolve) => setTimeout(resolve, 25))]);
      }
    },
    cancel: () => reader.cancel(),
    finished: pump,
  };
}
