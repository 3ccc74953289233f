import { hashOf } from "@governor/observability";

/**
 * The loop guard's key for a proposed call: the tool and its arguments in canonical JSON,
 * so `{a:1,b:2}` and `{b:2,a:1}` are the same call.
 */
export function callFingerprint(tool: string, args: unknown): string {
  return hashOf({ tool, args });
}

/**
 * Remembers the calls one model reply proposes on top of those the run already proposed,
 * and says whether one more would repeat a call too often.
 */
export class LoopGuard {
  readonly added: Record<string, number> = {};
  refusals = 0;
  readonly #seen: Readonly<Record<string, number>>;
  readonly #maxIdentical: number;

  constructor(seen: Readonly<Record<string, number>>, maxIdentical: number) {
    this.#seen = seen;
    this.#maxIdentical = maxIdentical;
  }

  /** Records the call and returns true, or counts a refusal and returns false when it repeats too often. */
  admit(tool: string, args: unknown): boolean {
    const fingerprint = callFingerprint(tool, args);
    const times = (this.#seen[fingerprint] ?? 0) + (this.added[fingerprint] ?? 0);
    if (times >= this.#maxIdentical) {
      this.refusals++;
      return false;
    }
    this.added[fingerprint] = (this.added[fingerprint] ?? 0) + 1;
    return true;
  }
}
