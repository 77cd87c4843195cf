import { useTonConnectUI, useTonWallet } from "@tonconnect/ui-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { TonTopup } from "../api";
import { useTonTopupCheckMutation, useTonTopupMutation } from "../hooks/usePaymentMutations";
import { Sheet } from "../components/Sheet";
import type { ResumablePayment } from "../lib/payments";
import { TonProvider } from "./provider";
import { errorText } from "../lib/errors";

type Outcome = "credited" | "card" | "closed";

function tonAmount(nano: string): string {
  const value = Number(nano) / 1e9;
  return value.toLocaleString(undefined, { maximumFractionDigits: 4 });
}

function TopUp({
  stars,
  onClose,
}: {
  stars: number;
  onClose: (outcome: Outcome, resumable?: ResumablePayment) => void;
}) {
  const { t } = useTranslation();
  const [tonConnectUI] = useTonConnectUI();
  const wallet = useTonWallet();
  const create = useTonTopupMutation();
  const check = useTonTopupCheckMutation();
  const [waiting, setWaiting] = useState(false);
  const order = create.data ?? null;
  const createOrder = create.mutate;
  const asked = useRef(false); // one order per sheet, also when StrictMode runs effects twice

  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    createOrder(stars);
  }, [stars, createOrder]);

  const resumable = (o: TonTopup): ResumablePayment => ({
    id: o.id,
    purpose: "topup",
    stars: o.stars,
    link: "",
    kind: "ton",
  });

  const send = async () => {
    if (!order) return;
    try {
      await tonConnectUI.sendTransaction({
        validUntil: Math.floor(Date.now() / 1000) + 600,
        messages: [{ address: order.address, amount: order.amount_nano, payload: order.payload }],
      });
    } catch {
      onClose("card", resumable(order));
      return;
    }
    setWaiting(true);
    for (let i = 0; i < 40; i += 1) {
      const current = await check.mutateAsync(order.id).catch(() => null);
      if (current?.status === "paid") {
        onClose("credited");
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    onClose("card", resumable(order));
  };

  return (
    <Sheet
      title={t("ton.topupTitle")}
      onClose={() => onClose(order ? "card" : "closed", order ? resumable(order) : undefined)}
      testId="ton-topup"
    >
      {order ? (
        <>
          <p>{t("ton.topupText", { count: order.stars, ton: tonAmount(order.amount_nano) })}</p>
          {wallet ? (
            <button className="button button--wide" onClick={send}>
              {t("ton.send")}
            </button>
          ) : (
            <button className="button button--wide" onClick={() => void tonConnectUI.openModal()}>
              {t("ton.connect")}
            </button>
          )}
        </>
      ) : (
        // Only while the order is on its way: an error ends the wait (no spinner beside it).
        !create.error && <div className="spinner" data-testid="ton-topup-spinner" />
      )}
      {create.error ? (
        <p className="error-note" role="alert" data-testid="ton-topup-error">
          {errorText(create.error, t)}
        </p>
      ) : (
        waiting && <p className="hint">{t("pay.waiting")}</p>
      )}
    </Sheet>
  );
}

export default function TonTopUp(props: {
  stars: number;
  onClose: (outcome: Outcome, resumable?: ResumablePayment) => void;
}) {
  return (
    <TonProvider>
      <TopUp {...props} />
    </TonProvider>
  );
}
