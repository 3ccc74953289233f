import { defineTool } from "@governor/core";
import { z } from "zod";
import type { MailSystem } from "./mail-system.js";

/**
 * The only mutating tool the mailbox assistant has, and far too big for deleting one email:
 * it takes a whole server, and every mailbox on it, offline. The assistant holds `mail:admin`,
 * so identity lets it through; proportionality is policy's job.
 */
export function disableMailServerTool(mail: MailSystem) {
  return defineTool({
    name: "disable_mail_server",
    description: "Take a mail server offline: no mailbox on it can send or receive until it is re-enabled.",
    input: z
      .object({
        serverId: z.string().regex(/^mx-\d+$/, "a mail server id looks like mx-1"),
        reason: z.string().min(3).max(500),
      })
      .strict(),
    scopes: ["mail:admin"],
    risk: "destructive",
    handler: ({ serverId }) => mail.disableServer(serverId),
  });
}
