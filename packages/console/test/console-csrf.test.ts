import { describe, expect, test } from "vitest";
import { follow, get, post, session, testIds } from "./support/console-requests.js";
import { runCase, useConsoleStore } from "./support/console-store.js";

const openStore = useConsoleStore();
const SLOW = 120_000;
const KILL = { reason: "stop everything" };

describe("cross-site and forged requests are refused with nothing done", () => {
  test(
    "a kill from the console's own page engages the switch, as the console's approver, and says so",
    async () => {
      const store = openStore();
      const browser = await session(store);
      const html = await follow(
        store,
        await post(store, "/controls/kill", KILL, { session: browser }),
        browser,
      );
      expect(testIds(html, "flash")).toEqual([expect.stringMatching(/Kill switch engaged \(global\)/)]);
      expect(html).toMatch(/class="flash ok"/);
      const kills = await store.runtime.killSwitches();
      expect(kills).toEqual([
        expect.objectContaining({ scope: "global", reason: "stop everything", by: "supervisor:sam" }),
      ]);
      expect(testIds(html, "kill-switch")[0]).toMatch(/global: stop everything/);
      const released = await follow(
        store,
        await post(store, "/controls/unkill", { agent: "" }, { session: browser }),
        browser,
      );
      expect(testIds(released, "flash")).toEqual(["Kill switch released (global)"]);
      expect(await store.runtime.killSwitches()).toEqual([]);
    },
    SLOW,
  );

  const forgeries: [string, (s: Awaited<ReturnType<typeof session>>) => Parameters<typeof post>[3]][] = [
    ["no CSRF token", (s) => ({ headers: { cookie: s.cookie } })],
    ["a wrong token", (s) => ({ session: { ...s, token: `${s.token.slice(0, -2)}AA` } })],
    ["another browser's token", (s) => ({ session: { ...s, cookie: `governor_csrf=${"A".repeat(43)}` } })],
    ["no CSRF cookie", (s) => ({ session: { ...s, cookie: "" } })],
    ["a foreign Origin", (s) => ({ session: s, headers: { origin: "http://evil.example" } })],
    ["an Origin on another port", (s) => ({ session: s, headers: { origin: "http://127.0.0.1:9999" } })],
    ["Origin null", (s) => ({ session: s, headers: { origin: "null" } })],
    [
      "Origin null from a cross-site frame",
      (s) => ({ session: s, headers: { origin: "null", "sec-fetch-site": "cross-site" } }),
    ],
    [
      "a same-origin Sec-Fetch-Site but a foreign Origin",
      (s) => ({ session: s, headers: { origin: "http://evil.example", "sec-fetch-site": "same-origin" } }),
    ],
    ["no Origin and no Sec-Fetch-Site", (s) => ({ session: s, omitOrigin: true })],
    [
      "no Origin, Sec-Fetch-Site cross-site",
      (s) => ({ session: s, omitOrigin: true, headers: { "sec-fetch-site": "cross-site" } }),
    ],
    ["a foreign Host (DNS rebinding)", (s) => ({ session: s, headers: { host: "evil.example:4321" } })],
    ["a text/plain body", (s) => ({ session: s, headers: { "content-type": "text/plain" } })],
  ];

  for (const [what, as] of forgeries) {
    test(
      `a kill with ${what} is refused 403, engages nothing, and the refusal is audited`,
      async () => {
        const store = openStore();
        const browser = await session(store);
        const response = await post(store, "/controls/kill", KILL, as(browser));
        expect(response.status).toBe(403);
        expect(await response.text()).toMatch(/Refused/);
        expect(await store.runtime.killSwitches()).toEqual([]);
        const refused = (await store.runtime.store.audit.list("governor:kill-switch")).filter(
          (r) => r.outcome === "refused",
        );
        // A wrong Host is refused before anything reads the request: nothing is written for it.
        expect(refused).toHaveLength(what.includes("Host") ? 0 : 1);
      },
      SLOW,
    );
  }

  test(
    "the console's own form as Chromium sends it under no-referrer (Origin null, Sec-Fetch-Site same-origin) is accepted",
    async () => {
      const store = openStore();
      const browser = await session(store);
      const response = await post(store, "/controls/kill", KILL, {
        session: browser,
        headers: { origin: "null", "sec-fetch-site": "same-origin" },
      });
      expect(response.status).toBe(303);
      expect((await store.runtime.killSwitches()).map((k) => k.scope)).toEqual(["global"]);
    },
    SLOW,
  );

  test(
    "a decision with a foreign Origin leaves the run waiting, and the journal holds the refusal",
    async () => {
      const store = openStore();
      const waiting = await runCase(store.runtime, "large-refund");
      const browser = await session(store);
      const response = await post(
        store,
        `/approvals/${waiting.threadId}/decide`,
        {
          requestId: waiting.approval?.requestId ?? "",
          callHash: "x",
          decision: "approve",
          reason: "ok",
          approver: "supervisor:sam",
        },
        { session: browser, headers: { origin: "http://evil.example" } },
      );
      expect(response.status).toBe(403);
      expect((await store.runtime.store.runs.get(waiting.threadId))?.status).toBe("waiting");
      const records = await store.runtime.store.audit.list(waiting.threadId);
      expect(records.filter((r) => r.kind === "approval" && r.outcome === "approved")).toEqual([]);
      const refusal = records.filter((r) => r.kind === "approval" && r.outcome === "refused");
      expect(refusal).toHaveLength(1);
      expect(refusal[0]?.data.reason).toMatch(/another origin \(http:\/\/evil.example\)/);
    },
    SLOW,
  );

  test(
    "refusals for threads the store does not hold are not written (a hostile page cannot fill the journal)",
    async () => {
      const store = openStore();
      const before = (await store.runtime.store.audit.list()).length;
      const response = await post(
        store,
        "/approvals/made-up-thread/decide",
        { decision: "approve" },
        { headers: { origin: "http://evil.example" } },
      );
      expect(response.status).toBe(403);
      expect((await store.runtime.store.audit.list()).length).toBe(before);
    },
    SLOW,
  );

  test(
    "a GET with a foreign Host is refused; localhost and 127.0.0.1 on the console's port are answered",
    async () => {
      const store = openStore();
      for (const host of [
        "evil.example:4321",
        "127.0.0.1:9999",
        "localhost",
        "attacker.localhost:4321",
        "",
      ]) {
        expect((await get(store, "/runs", { host })).status, host).toBe(403);
      }
      for (const host of ["127.0.0.1:4321", "localhost:4321", "LOCALHOST:4321"]) {
        expect((await get(store, "/runs", { host })).status, host).toBe(200);
      }
    },
    SLOW,
  );

  test(
    "methods other than GET and POST are refused",
    async () => {
      const store = openStore();
      for (const method of ["PUT", "DELETE", "PATCH"]) {
        const response = await store.app.request("http://127.0.0.1:4321/controls/kill", { method });
        expect(response.status).toBe(405);
      }
    },
    SLOW,
  );
});

describe("the kill form refuses bad input with a message and engages nothing", () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    ["an empty reason", { reason: "" }, /needs a reason/],
    ["a blank reason", { reason: "   " }, /needs a reason/],
    ["a reason with a newline", { reason: "a\nb" }, /one line/],
    ["an over-long reason", { reason: "r".repeat(501) }, /at most 500/],
    [
      "an agent no workflow has",
      { agent: "💥", reason: "x" },
      /No registered workflow runs as agent "💥".*agents: support/,
    ],
    ["a near-miss agent", { agent: "supprt", reason: "x" }, /No registered workflow runs as agent "supprt"/],
    ["an agent with control characters", { agent: "sup\u0000port", reason: "x" }, /must be an agent id/],
  ];
  for (const [what, fields, message] of bad) {
    test(
      `${what}`,
      async () => {
        const store = openStore();
        const browser = await session(store);
        const html = await follow(
          store,
          await post(store, "/controls/kill", fields, { session: browser }),
          browser,
        );
        expect(html).toMatch(/class="flash error"/);
        expect(testIds(html, "flash")[0]).toMatch(message);
        expect(await store.runtime.killSwitches()).toEqual([]);
      },
      SLOW,
    );
  }

  test(
    "a repeated field is refused rather than one of them silently winning",
    async () => {
      const store = openStore();
      const browser = await session(store);
      const body = new URLSearchParams([
        ["csrf", browser.token],
        ["reason", "x"],
        ["agent", "support"],
        ["agent", ""],
      ]);
      const response = await store.app.request("http://127.0.0.1:4321/controls/kill", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: "http://127.0.0.1:4321",
          cookie: browser.cookie,
        },
        body,
      });
      const html = await follow(store, response, browser);
      expect(testIds(html, "flash")[0]).toMatch(/must be given once/);
      expect(await store.runtime.killSwitches()).toEqual([]);
    },
    SLOW,
  );

  test(
    "an agent's switch for a registered agent (any case) engages agent:support only",
    async () => {
      const store = openStore();
      const browser = await session(store);
      const html = await follow(
        store,
        await post(
          store,
          "/controls/kill",
          { agent: " Support ", reason: "bad refunds" },
          { session: browser },
        ),
        browser,
      );
      expect(testIds(html, "flash")[0]).toMatch(/agent:support.*runs of agent support/);
      expect((await store.runtime.killSwitches()).map((k) => k.scope)).toEqual(["agent:support"]);
    },
    SLOW,
  );
});
