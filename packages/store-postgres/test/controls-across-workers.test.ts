import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorRuntime } from "@governor/core";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
// The execution-control fixture core's own kill-switch tests use, here on two PostgreSQL stores.
import { billingDesk, deskModel, newEffects } from "../../core/test/support/billing-desk.js";
import { openPostgresStore } from "../src/index.js";

/**
 * Controls that must hold across workers: two runtimes, each on its own pool to the same
 * database, as two worker machines are. Only PostgreSQL connects them.
 */
describe("controls across workers on PostgreSQL", () => {
  let server: PostgresServer;
  const opened: GovernorRuntime[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterEach(async () => {
    for (const runtime of opened.splice(0)) await runtime.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Two "workers" on one database; the same key directory, as a deployment configures one key for all. */
  async function twoWorkers(): Promise<[GovernorRuntime, GovernorRuntime]> {
    const url = await server.createDatabase();
    const dir = mkdtempSync(join(tmpdir(), "governor-pg-controls-"));
    dirs.push(dir);
    const a = new GovernorRuntime({ store: await openPostgresStore({ url, dir }) });
    const b = new GovernorRuntime({ store: await openPostgresStore({ url, dir }) });
    opened.push(a, b);
    return [a, b];
  }

  const request = { request: "Charge acct-1 $5 for the late fee" };

  it("a kill switch engaged through another worker stops a running run at its next node boundary", async () => {
    const [worker, operator] = await twoWorkers();
    const effects = newEffects();
    const workflow = billingDesk({ effects, onCharge: () => operator.kill({ reason: "runaway charges" }) });

    const outcome = await worker.start(workflow, request, { model: deskModel("strong", effects) });

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("KILLED");
    expect(outcome.error?.details).toMatchObject({ node: "respond" });
    // The charge made before the switch stays; nothing after it ran.
    expect(effects.charges).toHaveLength(1);
    expect(effects.answers).toEqual(["strong"]);
    const stopped = (await worker.store.audit.list(outcome.threadId)).filter(
      (record) => record.kind === "kill",
    );
    expect(stopped).toEqual([expect.objectContaining({ outcome: "stopped", node: "respond" })]);

    // And new runs are refused on any worker until it is released.
    const refused = await worker
      .start(workflow, request, { model: deskModel("strong", effects) })
      .catch((e) => e);
    expect(refused.code).toBe("KILLED");
    expect(await operator.unkill()).toBe(true);
    const calm = billingDesk({ effects });
    const again = await worker.start(calm, request, { model: deskModel("strong", effects) });
    expect(again.status).toBe("completed");
    expect((await worker.store.audit.verify()).ok).toBe(true);
  });
});
