import { beforeEach, describe, expect, it } from "vitest";
import {
  afterInvoice,
  devPaymentOffered,
  loadResume,
  reconcileResume,
  RESUME_KEY,
  saveResume,
  type ResumablePayment,
  type ServerPayment,
} from "./payments";

const card: ResumablePayment = {
  id: "p1",
  purpose: "donation",
  stars: 50,
  link: "https://t.me/$abc",
  kind: "stars",
};
const pending = (id: string, extra: Partial<ServerPayment> = {}): ServerPayment => ({
  id,
  purpose: "topup",
  stars: 20,
  status: "created",
  invoice_link: `https://t.me/$${id}`,
  ...extra,
});

describe("payment resume state", () => {
  beforeEach(() => localStorage.clear());

  it("keeps the card across reloads in localStorage", () => {
    saveResume(card);
    expect(JSON.parse(localStorage.getItem(RESUME_KEY)!)).toEqual(card);
    expect(loadResume()).toEqual(card);
    saveResume(null);
    expect(loadResume()).toBeNull();
  });

  it("ignores garbage in storage", () => {
    localStorage.setItem(RESUME_KEY, "{not json");
    expect(loadResume()).toBeNull();
    localStorage.setItem(RESUME_KEY, '{"id": 5}');
    expect(loadResume()).toBeNull();
  });

  it("waits for the credit after paid or pending; shows the card after cancelled or failed", () => {
    expect(afterInvoice(card, "paid")).toEqual({ next: "wait_credit", card: null });
    expect(afterInvoice(card, "pending")).toEqual({ next: "wait_credit", card: null });
    expect(afterInvoice(card, "cancelled")).toEqual({ next: "card", card });
    expect(afterInvoice(card, "failed")).toEqual({ next: "card", card });
  });

  it("drops a local card the server no longer has pending (paid or cancelled elsewhere)", () => {
    expect(reconcileResume(card, [])).toBeNull();
    expect(reconcileResume(card, [pending("p1", { status: "paid" })])).toBeNull();
  });

  it("keeps a local card the server still has, with the server's link", () => {
    const restored = reconcileResume(card, [
      pending("p1", { purpose: "donation", stars: 50, invoice_link: "https://t.me/$new" }),
    ]);
    expect(restored).toEqual({ ...card, link: "https://t.me/$new" });
  });

  it("restores the newest pending invoice when localStorage was lost", () => {
    expect(reconcileResume(null, [pending("p9"), pending("p8")])).toEqual({
      id: "p9",
      purpose: "topup",
      stars: 20,
      link: "https://t.me/$p9",
      kind: "stars",
    });
    expect(reconcileResume(null, [])).toBeNull();
  });

  it("keeps a TON card (the server's Stars list does not know it)", () => {
    const ton: ResumablePayment = { ...card, kind: "ton", link: "" };
    expect(reconcileResume(ton, [])).toEqual(ton);
  });
});

describe("the debug-only test payment button", () => {
  it("shows only when the server says it has development payments", () => {
    expect(devPaymentOffered({ dev_payments: true })).toBe(true);
    expect(devPaymentOffered({ dev_payments: false })).toBe(false);
    expect(devPaymentOffered({})).toBe(false); // a server from before the field
    expect(devPaymentOffered({ dev_payments: "true" })).toBe(false); // strictly a boolean
    expect(devPaymentOffered(null)).toBe(false); // the profile has not loaded yet
    expect(devPaymentOffered(undefined)).toBe(false);
  });
});
