import type { ReactNode } from "react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { initI18n } from "../i18n";
import { json, render, settle } from "../testing";
import TonTopUp from "./TonTopUp";

vi.mock("./provider", () => ({ TonProvider: ({ children }: { children: ReactNode }) => children }));
vi.mock("@tonconnect/ui-react", () => ({
  useTonConnectUI: () => [{ openModal: vi.fn(), sendTransaction: vi.fn() }],
  useTonWallet: () => null,
}));

beforeAll(() => {
  initI18n("en");
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the TON top-up sheet", () => {
  it("stops spinning when the order fails, and says why", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(503, { code: "ton_unavailable", message: "TON is not available." })()),
    );
    const view = render(<TonTopUp stars={50} onClose={vi.fn()} />);
    expect(view.container.querySelector('[data-testid="ton-topup-spinner"]')).not.toBeNull();
    await settle();
    expect(view.container.querySelector('[data-testid="ton-topup-error"]')?.textContent).toBe(
      "Paying with TON is not available right now.",
    );
    expect(view.container.querySelector('[data-testid="ton-topup-spinner"]')).toBeNull();
    expect(view.container.querySelector(".spinner")).toBeNull();
    view.unmount();
  });
});
