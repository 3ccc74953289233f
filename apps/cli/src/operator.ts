import { userInfo } from "node:os";

/** Who flips a switch or revokes a delegation from this terminal, for the audit journal: GOVERNOR_OPERATOR, else the OS user. */
export function operator(): string {
  return process.env.GOVERNOR_OPERATOR ?? `user:${userInfo().username}`;
}
