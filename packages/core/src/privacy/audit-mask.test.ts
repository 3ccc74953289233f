import { createHash, createHmac } from "node:crypto";
import type { AuditEntry, AuditJournal, AuditRecord } from "@governor/observability";
import { describe, expect, it } from "vitest";
import {
  auditMaskOptions,
  maskForDisplay,
  maskingAuditJournal,
  maskRecordData,
  maskText,
} from "./audit-mask.js";

// A fixed key stands in for the journal's audit key, so expected digests can be computed here.
const digest = (text: string) => createHmac("sha256", "test-key").update(text).digest("hex");

describe("masking audit records", () => {
  it("replaces each string holding personal data by its masked form and the hash of the real value", () => {
    const reason = "card 4242.4242.4242.4242, mail dana@example.com, call +44 20 7946 0958";
    const masked = maskRecordData({ args: { reason, amount: 1200, orderId: "A-1002" } }, { digest });

    expect(masked.args.reason).toEqual({
      $masked: "card [card ****4242], mail [email d***@example.com], call [phone ***0958]",
      hmac: digest(reason),
    });
    expect(masked.args.amount).toBe(1200);
    expect(masked.args.orderId).toBe("A-1002");
  });

  it("masks every value under a sensitive key whole, numbers included", () => {
    const masked = maskRecordData(
      { input: { customer: { name: "Dana Whitfield", ssn: 78051120 }, orderId: "A-1" } },
      { sensitive: ["customer"], digest },
    );

    expect(masked.input.customer).toEqual({
      name: { $masked: "[redacted]", hmac: digest("Dana Whitfield") },
      ssn: { $masked: "[redacted]", hmac: digest("78051120") },
    });
    expect(masked.input.orderId).toBe("A-1");
  });

  it("leaves the journal's own hashes and ids alone, even where a digit run would pass the Luhn check", () => {
    const digest = `ab${"4242424242424242"}${"c".repeat(46)}`;
    const data = { callHash: digest, callId: "call_4242424242424242", note: digest };

    expect(maskRecordData(data)).toEqual(data);
  });

  it("is idempotent, and leaves a cycle for the journal to refuse", () => {
    const once = maskRecordData({ to: "dana@example.com" });
    expect(maskRecordData(once)).toEqual(once);
    const cyclic: Record<string, unknown> = { to: "dana@example.com" };
    cyclic.self = cyclic;
    const masked = maskRecordData(cyclic);
    expect(masked.self).toBe(cyclic);
    expect(JSON.stringify(masked.to)).not.toContain("dana@example.com");
  });

  it("shows masked values as their masked text on screen", () => {
    expect(maskForDisplay({ reason: maskRecordData({ r: "mail dana@example.com" }).r, n: 3 })).toEqual({
      reason: "mail [email d***@example.com]",
      n: 3,
    });
    expect(maskText("no personal data here")).toBe("no personal data here");
  });
});

describe("maskingAuditJournal", () => {
  function memoryJournal(): AuditJournal & { stored: AuditEntry[] } {
    const stored: AuditEntry[] = [];
    return {
      stored,
      append(entry) {
        stored.push(entry);
        return {
          ...entry,
          seq: stored.length,
          at: "",
          prevHash: "",
          hash: "",
          data: entry.data ?? {},
        } as AuditRecord;
      },
      list: () => [],
      find: () => [],
      verify: () => ({ ok: true, records: stored.length, head: "", anchored: 0, keyId: "" }),
    };
  }

  it("masks what every writer appends, and a hook assigned later still goes through the mask", () => {
    const inner = memoryJournal();
    const journal = maskingAuditJournal(inner);
    const seen: AuditEntry[] = [];
    const masking = journal.append.bind(journal);
    journal.append = (entry) => {
      seen.push(entry);
      return masking(entry);
    };

    journal.append({
      threadId: "t",
      kind: "run",
      outcome: "started",
      data: { input: { email: "dana@example.com" } },
    });

    expect(seen).toHaveLength(1);
    expect(JSON.stringify(inner.stored)).not.toContain("dana@example.com");
    expect(journal.verify()).toMatchObject({ ok: true, records: 1 });
  });

  it("wrapped again (the store's journal under a compiled workflow), stores what one mask stores, and adds sensitive fields", () => {
    const entry = (data: Record<string, unknown>): AuditEntry => ({
      threadId: "t",
      kind: "run",
      outcome: "started",
      data,
    });
    const data = { input: { note: "mail dana@example.com", customer: { name: "Dana" } } };
    const once = { ...memoryJournal(), valueDigest: digest };
    maskingAuditJournal(once).append(entry(data));
    const twice = { ...memoryJournal(), valueDigest: digest };
    maskingAuditJournal(maskingAuditJournal(twice), {}).append(entry(data));
    const sensitive = { ...memoryJournal(), valueDigest: digest };
    maskingAuditJournal(maskingAuditJournal(sensitive), { sensitive: ["customer"] }).append(entry(data));

    expect(twice.stored).toEqual(once.stored);
    expect(sensitive.stored[0]?.data).toEqual({
      input: {
        note: { $masked: "mail [email d***@example.com]", hmac: digest("mail dana@example.com") },
        customer: { name: { $masked: "[redacted]", hmac: digest("Dana") } },
      },
    });
  });

  it("keeps the journal's keyed digest of a masked value, never a plain hash a reader could guess back", () => {
    const inner = { ...memoryJournal(), valueDigest: digest };
    const journal = maskingAuditJournal(inner);
    const card = "4242 4242 4242 4242";

    journal.append({ threadId: "t", kind: "run", outcome: "started", data: { input: { card } } });

    const stored = JSON.stringify(inner.stored);
    expect(stored).toContain(digest(card));
    expect(stored).not.toContain(createHash("sha256").update(card).digest("hex"));
    expect(stored).not.toContain(card);
  });

  it("masks every kind at rest even when the workflow's prompts detect fewer, over the store's own masking", () => {
    const inner = { ...memoryJournal(), valueDigest: digest };
    const journal = maskingAuditJournal(maskingAuditJournal(inner), auditMaskOptions({ detect: ["email"] }));

    journal.append({
      threadId: "t",
      kind: "run",
      outcome: "started",
      data: { note: "dana@example.com 4242 4242 4242 4242" },
    });

    const stored = JSON.stringify(inner.stored);
    expect(stored).not.toContain("dana@example.com");
    expect(stored).not.toContain("4242 4242 4242 4242");
    expect(stored).toContain("[card ****4242]");
  });

  it("keeps a __proto__ key of the data as data", () => {
    const data = JSON.parse('{"__proto__":{"to":"dana@example.com"},"k":1}');
    const masked = maskRecordData(data, { digest }) as Record<string, unknown>;

    expect(Object.keys(masked)).toEqual(["__proto__", "k"]);
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(JSON.stringify(masked)).toContain("[email d***@example.com]");
  });
});
