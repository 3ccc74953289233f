import type { Authority, FactKey, FactKind, FactScope, FactValue, FactWrite } from "@governor/memory";
import { Prng } from "./prng.js";

/** What a statement does to the asked key, or that it is about another key (a distractor). */
export type StatementKind =
  | "mandate"
  | "update"
  | "restate"
  | "suggestion"
  | "observation"
  | "retraction"
  | "late-correction"
  | "distractor";

/** One line of a conversation and the fact write it stands for. */
export interface Statement {
  readonly kind: StatementKind;
  /** The chat line as said (what an append-only memory stores verbatim, and the full history holds). */
  readonly line: string;
  /** The partition whose conversation holds it (another tenant's, for a cross-tenant distractor). */
  readonly scope: FactScope;
  readonly write: FactWrite;
  /** When it was said: the store's clock while it is written. */
  readonly at: Date;
}

/**
 * One generated contradiction case: statements about one key (with distractors around it) and
 * what an honest memory must answer about that key afterwards. The expectation comes from the
 * rules as the issue states them (`expect` below), not from the store under test.
 */
export interface FactSequence {
  readonly id: number;
  readonly scope: FactScope;
  readonly key: FactKey;
  /** The step's question about the key, as a model step would ask it. */
  readonly question: string;
  readonly statements: readonly Statement[];
  /** The key's value now; undefined when it was retracted. */
  readonly current: FactValue | undefined;
  /** Values the key held and no longer holds: superseded or retracted. */
  readonly stale: readonly string[];
  /** Values stated for the key that never became its fact: a suggestion against a mandate, a weaker source waiting for an approval. */
  readonly overruled: readonly string[];
}

export const TENANTS = ["acme", "globex", "initech", "umbrella", "stark"] as const;

const DIRECTOR: Authority = { by: "ops-director", weight: 90 };
const PLANNER: Authority = { by: "planner", weight: 30 };
const TRACKER: Authority = { by: "tracking-tool", weight: 50 };

interface Domain {
  readonly entity: (n: number) => string;
  /** The asked attribute and a sibling one of the same entity (a distractor). */
  readonly attributes: readonly [string, string];
  readonly words: readonly string[];
}

const DOMAINS: readonly Domain[] = [
  {
    entity: (n) => `zone B${n}`,
    attributes: ["carrier", "backup carrier"],
    words: ["Kestrel", "Osprey", "Heron", "Falcon", "Swift"],
  },
  {
    entity: (n) => `supplier S${n}`,
    attributes: ["payment terms", "invoice currency"],
    words: ["Net", "Prepay", "Escrow", "Deferred", "Split"],
  },
  {
    entity: (n) => `customer C${n}`,
    attributes: ["discount cap", "account manager"],
    words: ["Tier", "Band", "Grade", "Level", "Rank"],
  },
  {
    entity: (n) => `warehouse W${n}`,
    attributes: ["dispatch cutoff", "loading dock"],
    words: ["Slot", "Window", "Shift", "Bay", "Gate"],
  },
  {
    entity: (n) => `region R${n}`,
    attributes: ["escalation contact", "on-call team"],
    words: ["Alpha", "Bravo", "Delta", "Echo", "Sierra"],
  },
];

const HOUR = 3_600_000;
const FIRST = ["mandate", "suggestion", "observation"] as const;
const NEXT = {
  update: 25,
  restate: 8,
  suggestion: 20,
  observation: 10,
  retraction: 10,
  "late-correction": 15,
  distractor: 25,
} as const;

/** The key's state as the rules leave it, for the expectation. */
interface Held {
  value: string;
  kind: FactKind;
  weight: number;
}

const RANK: Record<FactKind, number> = { mandate: 4, preference: 3, observation: 2, suggestion: 1 };

/**
 * `count` sequences from `seed`, spread over five tenants and their tenant, user and agent
 * partitions, one hour of clock per statement from `start`. Every value is unique in the run
 * (`Kestrel-00042`), so finding it in a context text means that very statement leaked.
 */
export function generateSequences(count: number, seed: number, start: Date): FactSequence[] {
  const random = new Prng(seed);
  let clock = start.getTime();
  let serial = 0;
  const sequences: FactSequence[] = [];
  for (let id = 0; id < count; id++) {
    const domain = random.pick(DOMAINS);
    const tenant = random.pick(TENANTS);
    const scope = partition(random, tenant);
    const key = { entity: domain.entity(id), attribute: domain.attributes[0] };
    const value = () => `${random.pick(domain.words)}-${String(++serial).padStart(5, "0")}`;
    const statements: Statement[] = [];
    let held: Held | undefined;
    const stale = new Set<string>();
    const overruled = new Set<string>();
    const firstAt = clock;
    const say = (kind: StatementKind, line: string, write: FactWrite, on: FactScope = scope) => {
      statements.push({ kind, line, scope: on, write, at: new Date(clock) });
      clock += HOUR;
    };
    // The rules of the issue, applied to the key: ADD / UPDATE / DELETE / NONE or overruled.
    const assert = (kind: FactKind, authority: Authority, next: string) => {
      if (!held) {
        held = { value: next, kind, weight: authority.weight };
        return;
      }
      const stronger = RANK[kind] > RANK[held.kind] || authority.weight > held.weight;
      if (next === held.value && !stronger) return;
      if ((kind === "suggestion" && held.kind !== "suggestion") || RANK[kind] < RANK[held.kind]) {
        overruled.add(next);
        return;
      }
      if (authority.weight < held.weight) {
        overruled.add(next);
        return;
      }
      if (next !== held.value) stale.add(held.value);
      held = { value: next, kind, weight: authority.weight };
    };
    const fact = (kind: FactKind, authority: Authority, next: string, validFrom?: Date): FactWrite => ({
      scope,
      ...key,
      value: next,
      kind,
      authority,
      source: { type: "message", threadId: `seq-${id}`, messageId: `m${statements.length}` },
      ...(validFrom ? { validFrom: validFrom.toISOString() } : {}),
    });
    const what = `the ${key.attribute} for ${key.entity}`;

    const steps = random.int(3, 10);
    for (let step = 0; step < steps; step++) {
      let kind: StatementKind = step === 0 ? random.pick(FIRST) : random.weighted(NEXT);
      if (kind === "retraction" && !held) kind = "update";
      if (kind === "restate" && !held) kind = "mandate";
      if (kind === "update" && !held) kind = "mandate";
      switch (kind) {
        case "mandate":
        case "update": {
          const next = value();
          say(
            kind,
            held
              ? `${DIRECTOR.by}: Change of rule: from now on ${what} is ${next}.`
              : `${DIRECTOR.by}: Rule: use ${next} as ${what}.`,
            fact("mandate", DIRECTOR, next),
          );
          assert("mandate", DIRECTOR, next);
          break;
        }
        case "restate": {
          const same = (held as Held).value;
          say(kind, `${DIRECTOR.by}: Reminder: ${what} stays ${same}.`, fact("mandate", DIRECTOR, same));
          assert("mandate", DIRECTOR, same);
          break;
        }
        case "suggestion": {
          const next = value();
          say(
            kind,
            `${PLANNER.by}: Should we try ${next} as ${what}? Just brainstorming.`,
            fact("suggestion", PLANNER, next),
          );
          assert("suggestion", PLANNER, next);
          break;
        }
        case "observation": {
          const next = value();
          say(
            kind,
            `${TRACKER.by}: Last week's shipments show ${next} as ${what}.`,
            fact("observation", TRACKER, next),
          );
          assert("observation", TRACKER, next);
          break;
        }
        case "retraction": {
          say(kind, `${DIRECTOR.by}: Scrap the rule on ${what}; there is none any more.`, {
            op: "retract",
            scope,
            ...key,
            authority: DIRECTOR,
            source: { type: "message", threadId: `seq-${id}`, messageId: `m${statements.length}` },
          });
          stale.add((held as Held).value);
          held = undefined;
          break;
        }
        case "late-correction": {
          const next = value();
          // World time in the past, between the sequence's first statement and now.
          const since = new Date(firstAt + Math.floor((random.next() * (clock - firstAt)) / HOUR) * HOUR);
          say(
            kind,
            `${DIRECTOR.by}: Correction: since ${since.toISOString().slice(0, 13)}h ${what} was actually ${next}.`,
            fact("mandate", DIRECTOR, next, since),
          );
          assert("mandate", DIRECTOR, next);
          break;
        }
        case "distractor":
          distractor(random, { id, domain, scope, key, value, say });
          break;
      }
    }
    const current = held?.value;
    if (current !== undefined) {
      stale.delete(current);
      overruled.delete(current);
    }
    sequences.push({
      id,
      scope,
      key,
      question: `What is ${what}?`,
      statements,
      current,
      stale: [...stale],
      overruled: [...overruled],
    });
  }
  return sequences;
}

/** A tenant-wide rule (most), a user's own partition, or an agent's working notes. */
function partition(random: Prng, tenant: string): FactScope {
  const roll = random.next();
  if (roll < 0.6) return { tenant };
  if (roll < 0.85) return { tenant, user: `u${random.int(1, 20)}` };
  return { tenant, agent: random.pick(["router", "planner"]) };
}

/**
 * A statement about another key that looks like the asked one: the entity's sibling
 * attribute, a neighbouring entity, or the same key in another tenant. It is a fact of its own
 * (never stale), there to crowd a similarity search.
 */
function distractor(
  random: Prng,
  {
    id,
    domain,
    scope,
    key,
    value,
    say,
  }: {
    id: number;
    domain: Domain;
    scope: FactScope;
    key: FactKey;
    value: () => string;
    say: (kind: StatementKind, line: string, write: FactWrite, on?: FactScope) => void;
  },
): void {
  const next = value();
  const form = random.pick(["attribute", "entity", "tenant"] as const);
  let on = scope;
  let entity = key.entity;
  let attribute = key.attribute;
  if (form === "attribute") attribute = domain.attributes[1];
  if (form === "entity") entity = `${domain.entity(id)} annex`;
  if (form === "tenant") on = { tenant: random.pick(TENANTS.filter((t) => t !== scope.tenant)) };
  say("distractor", `${DIRECTOR.by}: Rule: use ${next} as the ${attribute} for ${entity}.`, {
    scope: on,
    entity,
    attribute,
    value: next,
    kind: "mandate",
    authority: DIRECTOR,
    source: { type: "message", threadId: `seq-${id}` },
  });
}
