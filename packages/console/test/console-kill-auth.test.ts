import { hmacApproverTokens, signApproverToken } from "@governor/console";
import { describe, expect, test } from "vitest";
import { follow, post, session, testIds } from "./support/console-requests.js";
import { useConsoleStore } from "./support/console-store.js";

const openStore = useConsoleStore();
const SLOW = 120_000;
const SECRET = "a-console-secret-of-at-least-32-bytes!!";

describe("where approver tokens are required, the kill switch moves only for a signed-in approver", () => {
  test(
    "a kill or release without a token is refused, audited, and engages nothing",
    async () => {
      const store = openStore({ extra: { approverTokens: hmacApproverTokens(SECRET) } });
      const browser = await session(store);
      const html = await follow(
        store,
        await post(store, "/controls/kill", { reason: "stop" }, { session: browser }),
        browser,
      );
      expect(testIds(html, "flash")[0]).toMatch(/APPROVAL_INVALID: Sign in with your approver token/);
      expect(await store.runtime.killSwitches()).toEqual([]);
      await store.runtime.kill({ reason: "engaged from the CLI", by: "ops" });
      await follow(
        store,
        await post(store, "/controls/unkill", { agent: "" }, { session: browser }),
        browser,
      );
      expect((await store.runtime.killSwitches()).map((k) => k.scope)).toEqual(["global"]);
      const refused = (await store.runtime.store.audit.list("governor:kill-switch")).filter(
        (r) => r.outcome === "refused",
      );
      expect(refused.map((r) => r.data.action)).toEqual(["kill", "unkill"]);
    },
    SLOW,
  );

  test(
    "a signed-in approver engages it as themselves, whatever the console's default approver",
    async () => {
      const store = openStore({ extra: { approverTokens: hmacApproverTokens(SECRET) } });
      const browser = await session(store);
      const token = await signApproverToken(SECRET, "supervisor:ana", { expiresIn: "1h" });
      const signedIn = { ...browser, cookie: `${browser.cookie}; governor_approver=${token}` };
      await follow(
        store,
        await post(store, "/controls/kill", { reason: "stop" }, { session: signedIn }),
        signedIn,
      );
      expect(await store.runtime.killSwitches()).toEqual([
        expect.objectContaining({ scope: "global", by: "supervisor:ana" }),
      ]);
      const forged = await signApproverToken("another-secret-that-is-32-bytes-long!!", "supervisor:eve", {
        expiresIn: "1h",
      });
      const eve = { ...browser, cookie: `${browser.cookie}; governor_approver=${forged}` };
      await follow(store, await post(store, "/controls/unkill", { agent: "" }, { session: eve }), eve);
      expect((await store.runtime.killSwitches()).map((k) => k.scope)).toEqual(["global"]);
    },
    SLOW,
  );
});
