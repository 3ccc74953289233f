import { describe, expect, it } from "vitest";
import { findPii } from "./detectors.js";
import { PiiMasker } from "./pii-mask.js";

describe("PII masking before the model", () => {
  it("masks emails, Luhn-valid card numbers and phone numbers in text", () => {
    const masker = new PiiMasker({}, []);
    const text = "Reach me at dana@example.com or +1 415-555-0199; card 4242 4242 4242 4242.";
    const masked = masker.mask(text);
    expect(masked).not.toContain("dana@example.com");
    expect(masked).not.toContain("4242 4242 4242 4242");
    expect(masked).not.toContain("555-0199");
    expect(masked).toMatch(/\[EMAIL_[0-9a-f]{6}\]/);
    expect(masked).toMatch(/\[CARD_[0-9a-f]{6}\]/);
    expect(masked).toMatch(/\[PHONE_[0-9a-f]{6}\]/);
  });

  it("leaves order ids, amounts and numbers that fail the Luhn check alone", () => {
    const text = "Order A-1002 (customer C-100, total $1,499): refund $1,200. Ticket 1234 5678 9012 3456.";
    expect(findPii(text, ["email", "card", "phone"])).toEqual([]);
    expect(new PiiMasker({}, []).mask(text)).toBe(text);
  });

  it("masks the values of sensitive state fields wherever they appear", () => {
    const state = { customer: { name: "Dana Whitfield", ssn: "078-05-1120" }, orderId: "A-1001" };
    const masker = new PiiMasker({ sensitive: ["customer"] }, PiiMasker.sensitiveValues(state, ["customer"]));
    const masked = masker.mask("Dana Whitfield (SSN 078-05-1120) asks about A-1001");
    expect(masked).not.toContain("Dana Whitfield");
    expect(masked).not.toContain("078-05-1120");
    expect(masked).toContain("A-1001");
  });

  it("gives a value the same placeholder every time and unmasks tool arguments", () => {
    const first = new PiiMasker({}, []).mask("write to dana@example.com");
    const masker = new PiiMasker({}, []);
    const again = masker.mask("dana@example.com again");
    const placeholder = first.replace("write to ", "");
    expect(again).toBe(`${placeholder} again`);
    expect(masker.unmask({ to: placeholder, cc: [placeholder] })).toEqual({
      to: "dana@example.com",
      cc: ["dana@example.com"],
    });
    expect(masker.maskedCount).toBe(1);
  });
});
