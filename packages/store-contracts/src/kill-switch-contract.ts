import type { KillSwitchStore } from "@governor/core";
import { describe, expect, it } from "vitest";
import { eachStore, failureOf } from "./each-store.js";
import type { OpenStore } from "./opened-store.js";

/** The kill switches' contract: global and per-agent stops, canonical agent ids, revoked delegations. */
export function describeKillSwitchContract(label: string, open: OpenStore<KillSwitchStore>): void {
  describe(`KillSwitchStore contract: ${label}`, () => {
    const current = eachStore(open);
    const at = new Date(Date.UTC(2026, 11, 2, 8, 0, 0, 123));

    it("stops nothing while no switch is engaged", async () => {
      const { store } = current();
      expect(await store.active("support")).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it("engages the global switch for every agent, with its reason, author and time", async () => {
      const { store } = current();
      const record = await store.kill({ reason: "incident 7", by: "ops", at });
      expect(record).toEqual({ scope: "global", reason: "incident 7", at: at.toISOString(), by: "ops" });
      expect(await store.active("support")).toEqual(record);
      expect(await store.active("billing")).toEqual(record);
    });

    it("leaves out who engaged it when nobody was named, and gives a default reason", async () => {
      const { store } = current();
      const record = await store.kill({ at });
      expect(record).toEqual({ scope: "global", reason: "no reason given", at: at.toISOString() });
      expect(await store.active("x")).toEqual(record);
    });

    it("stops one agent's runs by its canonical id, whatever spelling engaged or asks", async () => {
      const { store } = current();
      const record = await store.kill({ agent: " Support ", reason: "loop", at });
      expect(record.scope).toBe("agent:support");
      expect(await store.active("support")).toEqual(record);
      expect(await store.active("SUPPORT")).toEqual(record);
      expect(await store.active("ｓｕｐｐｏｒｔ")).toEqual(record);
      expect(await store.active("billing")).toBeUndefined();
    });

    it("answers the global switch before an agent's own", async () => {
      const { store } = current();
      await store.kill({ agent: "support", reason: "agent", at });
      await store.kill({ reason: "everyone", at });
      expect(await store.active("support")).toMatchObject({ scope: "global", reason: "everyone" });
    });

    it("updates a switch engaged again instead of adding another", async () => {
      const { store } = current();
      await store.kill({ agent: "support", reason: "first", at });
      await store.kill({ agent: "Support", reason: "second", by: "ops", at });
      expect(await store.list()).toEqual([
        { scope: "agent:support", reason: "second", at: at.toISOString(), by: "ops" },
      ]);
    });

    it("releases one switch and says whether it was engaged; the global release leaves agents stopped", async () => {
      const { store } = current();
      await store.kill({ at });
      await store.kill({ agent: "support", at });
      expect(await store.unkill()).toBe(true);
      expect(await store.unkill()).toBe(false);
      expect(await store.active("support")).toMatchObject({ scope: "agent:support" });
      expect(await store.active("billing")).toBeUndefined();
      expect(await store.unkill({ agent: "SUPPORT" })).toBe(true);
      expect(await store.active("support")).toBeUndefined();
    });

    it("lists the engaged switches in scope order", async () => {
      const { store } = current();
      await store.kill({ agent: "zeta", at });
      await store.kill({ agent: "alpha", at });
      await store.kill({ at });
      expect((await store.list()).map((record) => record.scope)).toEqual([
        "agent:alpha",
        "agent:zeta",
        "global",
      ]);
    });

    it("refuses an agent id that is empty once trimmed", async () => {
      const { store } = current();
      expect(await failureOf(() => store.kill({ agent: "  " }))).toMatchObject({ code: "CONFIG_INVALID" });
      expect(await failureOf(() => store.unkill({ agent: "" }))).toMatchObject({ code: "CONFIG_INVALID" });
      expect(await store.list()).toEqual([]);
    });

    describe("revoked delegations", () => {
      it("knows a revoked token by its canonical id, for good", async () => {
        const { store } = current();
        expect(await store.revoked("tok-1")).toBeUndefined();
        const record = await store.revoke({ jti: " TOK-1 ", reason: "left the company", by: "admin", at });
        expect(record).toEqual({
          jti: "tok-1",
          reason: "left the company",
          at: at.toISOString(),
          by: "admin",
        });
        expect(await store.revoked("tok-1")).toEqual(record);
        expect(await store.revoked("Tok-1")).toEqual(record);
        expect(await store.revoked("tok-2")).toBeUndefined();
      });

      it("keeps the first revocation when revoked again", async () => {
        const { store } = current();
        const first = await store.revoke({ jti: "tok-1", reason: "first", at });
        const again = await store.revoke({ jti: "tok-1", reason: "second", by: "someone" });
        expect(again).toEqual(first);
        expect(first).toEqual({ jti: "tok-1", reason: "first", at: at.toISOString() });
      });

      it("refuses an empty token id", async () => {
        const { store } = current();
        expect(await failureOf(() => store.revoke({ jti: " " }))).toMatchObject({ code: "CONFIG_INVALID" });
      });

      it("is not a kill switch: revoking stops no agent", async () => {
        const { store } = current();
        await store.revoke({ jti: "support" });
        expect(await store.active("support")).toBeUndefined();
        expect(await store.list()).toEqual([]);
      });
    });

    it("shows a switch engaged or released on another instance at the next ask", async () => {
      const opened = current();
      if (!opened.another) return;
      const operator = await opened.another();
      expect(await opened.store.active("support")).toBeUndefined();
      await operator.kill({ agent: "support", reason: "from the CLI", at });
      expect(await opened.store.active("support")).toMatchObject({ reason: "from the CLI" });
      await operator.kill({ reason: "all", at });
      expect(await opened.store.active("support")).toMatchObject({ scope: "global" });
      await operator.unkill();
      await operator.unkill({ agent: "support" });
      expect(await opened.store.active("support")).toBeUndefined();
      expect(await opened.store.revoked("tok-9")).toBeUndefined();
      await operator.revoke({ jti: "tok-9" });
      expect(await opened.store.revoked("tok-9")).toMatchObject({ jti: "tok-9" });
    });
  });
}
