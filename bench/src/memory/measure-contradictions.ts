import { scopeKey } from "@governor/memory";
import { estimateTokens } from "@governor/models";
import type { FactSequence, StatementKind } from "./fact-sequences.js";
import type { GovernedMemory, RecalledContext } from "./governed-memory.js";
import type { NaiveMemory } from "./naive-memory.js";

/** How one way of building the context did over every sequence. */
export interface ContradictionScore {
  readonly name: string;
  /** Sequences whose key has a superseded or retracted value, and how many contexts showed one. */
  readonly staleEligible: number;
  readonly staleHits: number;
  /** Sequences with an overruled statement (a suggestion against a mandate, a weaker source awaiting approval), and how many contexts showed it. */
  readonly overruledEligible: number;
  readonly overruledHits: number;
  /** Sequences whose key holds a value now, and how many contexts had it. */
  readonly recallEligible: number;
  readonly recallHits: number;
  /** Prompt tokens of the contexts, summed and median. */
  readonly tokens: number;
  readonly medianTokens: number;
  /** The first sequence ids this context got wrong (stale, overruled or missing the current fact), for a look. */
  readonly misses: readonly number[];
}

export interface ContradictionResult {
  readonly sequences: number;
  readonly statements: number;
  /** How many statements of each kind the sequences hold. */
  readonly mix: Readonly<Record<StatementKind, number>>;
  /** Prompt tokens of the full conversation histories (every statement as a chat line), summed and median. */
  readonly historyTokens: number;
  readonly historyMedianTokens: number;
  /**
   * The same for the partition's whole conversation up to each question (every sequence of the
   * partition so far): what a prompt carrying the full history would really hold.
   */
  readonly partitionHistoryTokens: number;
  readonly variants: readonly ContradictionScore[];
}

/** One way of asking: its name and the context it builds for a sequence's question. */
interface Asker {
  readonly name: string;
  context(sequence: FactSequence): Promise<RecalledContext>;
}

/**
 * Writes every sequence's statements into both memories (Governor through the store's
 * reconciliation, the baseline by appending), then asks each sequence's question of each and
 * checks what the model would be given: a stale or overruled value is a failure, the current
 * value missing is a recall miss. Values are unique in the run, so a substring match is exact.
 */
export async function measureContradictions(
  sequences: readonly FactSequence[],
  governed: GovernedMemory,
  naive: NaiveMemory,
  topK: number,
): Promise<ContradictionResult> {
  const mix = {} as Record<StatementKind, number>;
  let statements = 0;
  for (const sequence of sequences) {
    for (const statement of sequence.statements) {
      governed.at(statement.at);
      governed.write([statement.write], `seq-${sequence.id}`);
      await naive.add(statement.scope, statement.line);
      mix[statement.kind] = (mix[statement.kind] ?? 0) + 1;
      statements++;
    }
  }
  // "Now": an hour after the last statement.
  const last = sequences.at(-1)?.statements.at(-1)?.at ?? new Date();
  governed.at(new Date(last.getTime() + 3_600_000));
  await governed.store.syncIndex();

  const askers: Asker[] = [
    {
      name: "Governor: exact key",
      context: (s) => governed.context(s.scope, { keys: [s.key] }),
    },
    {
      name: `Governor: key + ${governed.indexed ? "Mem0 search" : "partition (no index)"}`,
      context: (s) => governed.context(s.scope, { keys: [s.key], query: s.question }),
    },
    {
      name: `Governor: ${governed.indexed ? "Mem0 search" : "partition (no index)"} only`,
      context: (s) => governed.context(s.scope, { query: s.question }),
    },
    {
      name: `naive Mem0 append, top-${topK}`,
      context: (s) => naive.context(s.scope, s.question),
    },
  ];
  const histories = sequences.map((s) => estimateTokens(s.statements.map((st) => st.line).join("\n")));
  const sofar = new Map<string, number>();
  let partitionHistoryTokens = 0;
  sequences.forEach((s, i) => {
    const total = (sofar.get(scopeKey(s.scope)) ?? 0) + (histories[i] as number);
    sofar.set(scopeKey(s.scope), total);
    partitionHistoryTokens += total;
  });
  const variants: ContradictionScore[] = [];
  for (const asker of askers) {
    const score = {
      name: asker.name,
      staleEligible: 0,
      staleHits: 0,
      overruledEligible: 0,
      overruledHits: 0,
      recallEligible: 0,
      recallHits: 0,
    };
    const tokens: number[] = [];
    const misses: number[] = [];
    for (const sequence of sequences) {
      const { text, tokens: used } = await asker.context(sequence);
      tokens.push(used);
      const stale = sequence.stale.some((value) => text.includes(value));
      const overruled = sequence.overruled.some((value) => text.includes(value));
      const recalled = sequence.current !== undefined && text.includes(String(sequence.current));
      if (sequence.stale.length) score.staleEligible++;
      if (stale) score.staleHits++;
      if (sequence.overruled.length) score.overruledEligible++;
      if (overruled) score.overruledHits++;
      if (sequence.current !== undefined) score.recallEligible++;
      if (recalled) score.recallHits++;
      if ((stale || overruled || (sequence.current !== undefined && !recalled)) && misses.length < 10)
        misses.push(sequence.id);
    }
    variants.push({ ...score, tokens: sum(tokens), medianTokens: median(tokens), misses });
  }
  return {
    sequences: sequences.length,
    statements,
    mix,
    historyTokens: sum(histories),
    historyMedianTokens: median(histories),
    partitionHistoryTokens,
    variants,
  };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : Number.NaN;
}
