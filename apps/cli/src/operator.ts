import { userInfo } from "node:os";

/** The OS user at this terminal, as the audit journal names them when no variable does. */
export function terminalUser(): string {
  return `user:${userInfo().username}`;
}

/** Who flips a switch or revokes a delegation from this terminal, for the audit journal: GOVERNOR_OPERATOR, else the OS user. */
export function operator(): string {
  return process.env.GOVERNOR_OPERATOR ?? terminalUser();
}
