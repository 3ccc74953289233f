import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The signed head of an audit chain: how many records it had and the hash of the last.
 *
 * Kept outside the journal's database, so removing records from the end of the journal
 * leaves a head that names more records than remain.
 */
export interface AuditHead {
  readonly records: number;
  readonly hash: string;
  readonly at: string;
  /** Fingerprint of the key that sealed it (see `AuditKey.id`). */
  readonly keyId: string;
  readonly seal: string;
}

/** What reading a head found: none yet, one, or something that is not a head. */
export type HeadRead =
  | { readonly status: "none" }
  | { readonly status: "found"; readonly head: AuditHead }
  | { readonly status: "invalid"; readonly reason: string };

/** Where a journal's head is kept. */
export interface HeadStore {
  /** Where, for messages: a file path or "memory". */
  readonly location: string;
  /** True when writing costs nothing, so the head can follow every append at once. */
  readonly immediate: boolean;
  read(): HeadRead;
  write(head: AuditHead): void;
}

/** A head kept in the process: for journals in memory, which die with the process anyway. */
export class MemoryHeadStore implements HeadStore {
  readonly location = "memory";
  readonly immediate = true;
  #head: AuditHead | undefined;

  read(): HeadRead {
    return this.#head ? { status: "found", head: this.#head } : { status: "none" };
  }

  write(head: AuditHead): void {
    this.#head = head;
  }
}

/**
 * A head in a JSON file, replaced atomically (write a temporary file, then rename), so a
 * crash mid-write leaves the old head or the new one, never half of one.
 */
export class FileHeadStore implements HeadStore {
  readonly immediate = false;

  constructor(readonly location: string) {}

  read(): HeadRead {
    let text: string;
    try {
      text = readFileSync(this.location, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "none" };
      return { status: "invalid", reason: `cannot read ${this.location}: ${(error as Error).message}` };
    }
    try {
      return { status: "found", head: parseHead(JSON.parse(text)) };
    } catch (error) {
      return {
        status: "invalid",
        reason: `${this.location} is not an audit head: ${(error as Error).message}`,
      };
    }
  }

  write(head: AuditHead): void {
    const dir = dirname(this.location);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A name of its own per write: two processes flushing at once must not share a temporary file.
    const temporary = `${this.location}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify(head)}\n`, { mode: 0o600 });
      renameSync(temporary, this.location);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // never created
      }
      throw error;
    }
  }
}

function parseHead(value: unknown): AuditHead {
  if (typeof value !== "object" || value === null) throw new Error("not an object");
  const head = value as Record<string, unknown>;
  if (!Number.isSafeInteger(head.records) || (head.records as number) < 0)
    throw new Error("records is not a non-negative integer");
  for (const field of ["hash", "at", "keyId", "seal"] as const)
    if (typeof head[field] !== "string") throw new Error(`${field} is not a string`);
  return head as unknown as AuditHead;
}
