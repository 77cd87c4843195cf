import { useTonConnectUI, useTonWallet } from "@tonconnect/ui-react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, newIdempotencyKey, type TonTopup } from "../api";
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
  const [order, setOrder] = useState<TonTopup | null>(null);
  const [status, setStatus] = useState<string>("");

  useEffect(() => {
    api
      .tonTopup(stars, newIdempotencyKey())
      .then(setOrder, (err: unknown) => setStatus(errorText(err, t)));
  }, [stars, t]);

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
    setStatus(t("pay.waiting"));
    for (let i = 0; i < 40; i += 1) {
      const current = await api.tonTopupCheck(order.id).catch(() => null);
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
        <div className="spinner" />
      )}
      {status && <p className="hint">{status}</p>}
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
