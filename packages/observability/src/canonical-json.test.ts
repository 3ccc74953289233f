import { GovernorError } from "@governor/errors";
import { describe, expect, it } from "vitest";
import { canonicalJson, hashOf } from "./canonical-json.js";
import { toPlainJson } from "./plain-json.js";

/** Parses like a model's tool call does: `__proto__` in JSON text becomes an own key. */
const parsed = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("canonicalJson: what is the same value and what is not", () => {
  it.each(["__proto__", "constructor", "prototype"])(
    "keeps a %s key: arguments that differ only there hash differently",
    (key) => {
      const base = parsed('{"amount":5}');
      const withKey = parsed(`{"amount":5,"${key}":{"isAdmin":true}}`);
      const otherValue = parsed(`{"amount":5,"${key}":{"isAdmin":false}}`);

      const field = `"${key}":{"isAdmin":true}`;
      expect(canonicalJson(withKey)).toBe(key < "amount" ? `{${field},"amount":5}` : `{"amount":5,${field}}`);
      expect(hashOf(withKey)).not.toBe(hashOf(base));
      expect(hashOf(withKey)).not.toBe(hashOf(otherValue));
      expect(Object.getPrototypeOf(toPlainJson(withKey))).toBe(Object.prototype);
    },
  );

  it("never applies a __proto__ key as a prototype when normalizing", () => {
    const plain = toPlainJson(parsed('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect((plain as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(plain)).toEqual(["__proto__"]);
    expect(JSON.parse(JSON.stringify(plain))).toEqual(parsed('{"__proto__":{"polluted":true}}'));
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("sorts keys at every depth, whatever order they came in", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(hashOf({ x: 1, y: 2 })).toBe(hashOf({ y: 2, x: 1 }));
  });

  it("orders keys exactly as hashes made before this encoder did, so pending approvals stay bound", () => {
    const value = { b: 1, 10: "ten", 2: "two", a: [{ é: 1, e: 2, Z: 3 }] };
    const sortedObject = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortedObject)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortedObject((v as Record<string, unknown>)[k])]),
            )
          : v;
    expect(canonicalJson(value)).toBe(JSON.stringify(sortedObject(value)));
    expect(canonicalJson(value)).toBe('{"2":"two","10":"ten","a":[{"Z":3,"e":2,"é":1}],"b":1}');
  });

  it("treats a field set to undefined as missing, and undefined in a list as null, as JSON does", () => {
    expect(hashOf({ a: 1, b: undefined })).toBe(hashOf({ a: 1 }));
    expect(canonicalJson([undefined, () => 1])).toBe("[null,null]");
    expect(canonicalJson({ f: () => 1, s: Symbol("x") })).toBe("{}");
  });

  it("encodes -0 as 0, and NaN and the infinities apart from null and from each other", () => {
    expect(canonicalJson({ n: -0 })).toBe('{"n":0}');
    const encodings = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, "NaN"].map((n) =>
      canonicalJson({ n }),
    );
    expect(new Set(encodings).size).toBe(5);
    expect(canonicalJson(Number.NaN)).toBe('{"$type":"number","value":"NaN"}');
  });

  it("does not normalize Unicode: composed and decomposed accents are different arguments", () => {
    const composed = { name: "Ren\u00e9" };
    const decomposed = { name: "Rene\u0301" };
    expect(hashOf(composed)).not.toBe(hashOf(decomposed));
    expect(canonicalJson({ s: "\ud800" })).toBe('{"s":"\\ud800"}');
    // Keys sort by UTF-16 code unit (as Array.prototype.sort does): the emoji's high surrogate comes before U+FFFF.
    expect(canonicalJson({ "\uFFFF": 2, "\u{1F600}": 1 })).toBe('{"\u{1F600}":1,"\uFFFF":2}');
  });

  it("encodes values JSON cannot carry deterministically and losslessly enough to tell them apart", () => {
    expect(canonicalJson({ id: 12345678901234567890n })).toBe(
      '{"id":{"$type":"bigint","value":"12345678901234567890"}}',
    );
    expect(hashOf({ id: 1n })).not.toBe(hashOf({ id: 1 }));
    expect(canonicalJson(Buffer.from("hi"))).toBe('{"$type":"bytes","base64":"aGk="}');
    expect(canonicalJson(new Float64Array([1]))).toContain('"view":"Float64Array"');
    expect(canonicalJson(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(canonicalJson(new Date(Number.NaN))).toBe('{"$type":"date","value":"invalid"}');
    expect(
      hashOf(
        new Map([
          ["a", 1],
          ["b", 2],
        ]),
      ),
    ).toBe(
      hashOf(
        new Map([
          ["b", 2],
          ["a", 1],
        ]),
      ),
    );
    expect(hashOf(new Set([1, 2]))).toBe(hashOf(new Set([2, 1])));
    expect(hashOf(new Set([1, 2]))).not.toBe(hashOf([1, 2]));
    expect(canonicalJson(new TypeError("bad"))).toBe('{"$type":"error","message":"bad","name":"TypeError"}');
    expect(canonicalJson(new URL("https://example.com/a"))).toBe('"https://example.com/a"');
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  it("normalizes a shared (not circular) object wherever it appears", () => {
    const shared = { id: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"id":1},"b":[{"id":1}]}');
  });

  it("refuses a circular value with a typed error that names where", () => {
    const order: Record<string, unknown> = { id: "O-1", lines: [] };
    (order.lines as unknown[]).push({ order });
    let error: unknown;
    try {
      canonicalJson(order);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GovernorError);
    expect(error).toMatchObject({ code: "VALUE_UNSERIALIZABLE", details: { path: "$.lines[0].order" } });
  });

  it("maps plain JSON to itself, so normalizing twice changes nothing", () => {
    const once = toPlainJson({
      a: 1n,
      b: new Map([[1, new Set(["x"])]]),
      c: Buffer.from("z"),
      d: parsed('{"__proto__":1}'),
    });
    expect(toPlainJson(once)).toEqual(once);
    expect(canonicalJson(JSON.parse(JSON.stringify(once)))).toBe(canonicalJson(once));
  });
});
