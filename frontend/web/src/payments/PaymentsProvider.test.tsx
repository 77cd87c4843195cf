import { act } from "react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import i18n, { initI18n } from "../i18n";
import { json, render } from "../testing";
import { PaymentsProvider, usePayments } from "./PaymentsProvider";

function AskTopUp({ shortfall }: { shortfall: number }) {
  const { askTopUp } = usePayments();
  return <button data-testid="ask" onClick={() => askTopUp(shortfall)} />;
}

describe("the top-up sheet", () => {
  beforeAll(() => {
    initI18n("en");
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await act(() => i18n.changeLanguage("en"));
  });

  it.each([
    ["en", "Pay ⭐ 20 with Telegram Stars"],
    ["ru", "Оплатить ⭐ 20 звёздами Telegram"],
  ])("names the amount once, with one star (%s)", async (lng, label) => {
    await act(() => i18n.changeLanguage(lng));
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(200, [])()),
    );
    const view = render(
      <PaymentsProvider>
        <AskTopUp shortfall={20} />
      </PaymentsProvider>,
    );
    act(() => view.container.querySelector<HTMLButtonElement>('[data-testid="ask"]')!.click());
    const pay = view.container.querySelector('[data-testid="topup-stars"]');
    expect(pay?.textContent).toBe(label);
    view.unmount();
  });
});
