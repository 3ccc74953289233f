import { z } from "zod";
import { scopeSchema } from "./scope.js";

/** An agent, role or approver name: one word, and no "/" (it separates parts of a principal id). */
const nameSchema = z.string().regex(/^[^\s/]+$/, 'a name is one non-empty word without spaces or "/"');

function uniqueList<T extends z.ZodType<string>>(item: T, what: string) {
  return z
    .array(item)
    .min(1, `list at least one ${what}`)
    .superRefine((items, ctx) => {
      items.forEach((value, index) => {
        if (items.indexOf(value) !== index) {
          ctx.addIssue({ code: "custom", message: `duplicate ${what} "${value}"`, path: [index] });
        }
      });
    });
}

function nonEmptyRecord<T extends z.ZodType>(value: T, what: string) {
  return z
    .record(nameSchema, value)
    .refine((record) => Object.keys(record).length > 0, `declare at least one ${what}`);
}

const agentSchema = z.strictObject({ roles: uniqueList(nameSchema, "role") });

const approverSchema = z
  .strictObject({
    scopes: uniqueList(scopeSchema, "scope").optional(),
    roles: uniqueList(nameSchema, "role").optional(),
  })
  .refine((approver) => approver.scopes !== undefined || approver.roles !== undefined, {
    message: "an approver needs scopes, roles or both",
  });

/**
 * Who may do what: roles as lists of scopes, agents as lists of roles, and the approvers
 * who may answer approval requests. Duplicates and empty lists are refused because each
 * is almost always a typo that would silently widen or narrow someone's authority.
 */
export const identityConfigSchema = z.strictObject({
  roles: nonEmptyRecord(uniqueList(scopeSchema, "scope"), "role"),
  agents: nonEmptyRecord(agentSchema, "agent"),
  approvers: z.record(nameSchema, approverSchema).optional(),
});

export type IdentityConfig = z.input<typeof identityConfigSchema>;
