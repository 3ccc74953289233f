import type { SourceAuthority } from "@governor/memory";

/**
 * Who speaks at Acme's dispatch desk, and how much their words bind. Authority comes from
 * here, never from what the model makes of a statement: the ops director sets carrier rules
 * (weight 90, up to a mandate); a planner's ideas are at most a preference (weight 40), so a
 * planner's "Rule: …" can never become one.
 */
export const SPEAKERS = {
  "ops-director:maria": { by: "ops-director:maria", weight: 90, maxKind: "mandate" },
  "planner:lena": { by: "planner:lena", weight: 40, maxKind: "preference" },
} as const satisfies Record<string, SourceAuthority>;

export type Speaker = keyof typeof SPEAKERS;

export const SPEAKER_NAMES = Object.keys(SPEAKERS) as [Speaker, ...Speaker[]];
