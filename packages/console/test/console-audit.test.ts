import { ScenarioChatModel } from "@governor/models/testing";
import { tamperAuditRecord } from "@governor/observability/testing";
import { refundSample } from "@governor/sample-refund";
import { describe, expect, test } from "vitest";
import { follow, page, post, session, testIds } from "./support/console-requests.js";
import { refund, runCase, useConsoleStore } from "./support/console-store.js";

const openStore = useConsoleStore();
const SLOW = 120_000;

describe("audit pages", () => {
  test(
    "a decided run's records are listed in chain order with the approver and the reason",
    async () => {
      const store = openStore();
      const waiting = await runCase(store.runtime, "large-refund");
      await store.runtime.decide(
        refund.workflow,
        waiting.threadId,
        {
          decision: "approve",
          approver: "supervisor:sam",
          reason: "customer verified",
          requestId: waiting.approval?.requestId ?? "",
        },
        { model: new ScenarioChatModel(refundSample.scenario) },
      );
      const html = await page(store, `/audit/${waiting.threadId}`);
      const seqs = [...html.matchAll(/data-testid="audit-record" data-seq="(\d+)"/g)].map((m) =>
        Number(m[1]),
      );
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength((await store.runtime.store.audit.list(waiting.threadId)).length);
      const rows = [...html.matchAll(/<tr data-testid="audit-record"[\s\S]*?<\/tr>/g)].map((m) => m[0]);
      const approved = rows.find((row) => /data-kind="approval"/.test(row) && />approved</.test(row));
      expect(approved).toBeDefined();
      expect(testIds(approved ?? "", "audit-approver")).toEqual(["supervisor:sam"]);
      expect(testIds(approved ?? "", "audit-reason")).toEqual(["customer verified"]);
    },
    SLOW,
  );

  test(
    "verify chain says intact, then names the first broken record after the file is edited",
    async () => {
      const store = openStore();
      await runCase(store.runtime, "small-refund");
      const browser = await session(store);
      const intact = await follow(
        store,
        await post(store, "/audit/verify", {}, { session: browser }),
        browser,
      );
      const records = (await store.runtime.store.audit.list()).length;
      expect(testIds(intact, "flash")).toEqual([`Audit chain intact: ${records} records`]);
      expect(testIds(intact, "verify-result")[0]).toMatch(new RegExp(`^Intact: ${records} records`));

      tamperAuditRecord(store.dir, 3, "outcome", () => "forged");
      const broken = await follow(
        store,
        await post(store, "/audit/verify", {}, { session: browser }),
        browser,
      );
      expect(broken).toMatch(/class="flash error"/);
      expect(testIds(broken, "verify-result")[0]).toMatch(/^Broken at record 3 \(changed\)/);
    },
    SLOW,
  );

  test(
    "verify without the CSRF token is refused and runs nothing",
    async () => {
      const store = openStore();
      const response = await post(store, "/audit/verify", {});
      expect(response.status).toBe(403);
      expect(testIds(await page(store, "/audit"), "verify-result")[0]).toMatch(/Not verified/);
    },
    SLOW,
  );
});
