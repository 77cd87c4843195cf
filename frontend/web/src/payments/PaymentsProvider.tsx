import { useQueryClient } from "@tanstack/react-query";
import {
  createContext,
  lazy,
  Suspense,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { useTranslation } from "react-i18next";
import { api, type Me, type Payment } from "../api";
import { useBalanceUpdate } from "../hooks/useMe";
import {
  useCancelPaymentMutation,
  useDevTopupMutation,
  useInvoiceMutation,
  type InvoiceRequest,
} from "../hooks/usePaymentMutations";
import { keys } from "../queryKeys";
import { onMeEvent } from "../lib/events";
import {
  afterInvoice,
  devPaymentOffered,
  loadResume,
  reconcileResume,
  saveResume,
  type ResumablePayment,
} from "../lib/payments";
import { hapticNotify, openInvoice } from "../telegram";
import { Sheet } from "../components/Sheet";
import { errorText } from "../lib/errors";

const TonTopUp = lazy(() => import("../ton/TonTopUp"));

export type PayOutcome = "credited" | "card" | "failed";

interface PaymentsApi {
  payStars: (request: InvoiceRequest) => Promise<PayOutcome>;
  /** Top up (``shortfall`` set when the balance is short): Stars or TON, then ``onCredited``. */
  askTopUp: (shortfall: number | null, onCredited?: () => void) => void;
  waiting: boolean;
}

const PaymentsContext = createContext<PaymentsApi | null>(null);

export function usePayments(): PaymentsApi {
  const value = useContext(PaymentsContext);
  if (!value) throw new Error("usePayments outside PaymentsProvider");
  return value;
}

/** Wait until the server says the payment is paid: ws/me event or polling, whichever first. */
function waitForCredit(paymentId: string, timeoutMs = 90_000): Promise<Payment | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: Payment | null) => {
      if (done) return;
      done = true;
      off();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(value);
    };
    const off = onMeEvent((event) => {
      if (event.type !== "payment") return;
      const { payment } = event;
      if (payment.id === paymentId && payment.status === "paid") finish(payment);
    });
    const poll = setInterval(() => {
      api.payment(paymentId).then(
        (payment) => {
          if (payment.status === "paid") finish(payment);
          else if (payment.status !== "created") finish(null);
        },
        () => undefined,
      );
    }, 2000);
    const timer = setTimeout(() => finish(null), timeoutMs);
  });
}

export function PaymentsProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const updateBalance = useBalanceUpdate();
  const [card, setCard] = useState<ResumablePayment | null>(() => loadResume());
  const invoice = useInvoiceMutation();
  const devTopup = useDevTopupMutation();
  const cancelPayment = useCancelPaymentMutation();
  const [waitingCredit, setWaitingCredit] = useState(false);
  const waiting = waitingCredit || devTopup.isPending;
  const failure = invoice.error ?? devTopup.error;
  const resetInvoice = invoice.reset;
  const resetDevTopup = devTopup.reset;
  const createInvoice = invoice.mutateAsync;
  const payDevTopup = devTopup.mutateAsync;
  const [topUp, setTopUp] = useState<{
    shortfall: number | null;
    onCredited?: () => void;
  } | null>(null);
  const [amount, setAmount] = useState("100");
  const [tonStars, setTonStars] = useState<number | null>(null);
  const busy = useRef(false);

  const keepCard = useCallback((value: ResumablePayment | null) => {
    saveResume(value);
    setCard(value);
  }, []);

  // After a reload: the server's pending list is the truth for Stars invoices.
  useEffect(() => {
    let cancelled = false;
    api.pendingPayments().then(
      (pending) => {
        if (!cancelled) keepCard(reconcileResume(loadResume(), pending));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [keepCard]);

  useEffect(
    () =>
      onMeEvent((event) => {
        if (event.balance !== null) updateBalance(event.balance);
      }),
    [updateBalance],
  );

  const settle = useCallback(
    async (resumable: ResumablePayment): Promise<PayOutcome> => {
      saveResume(resumable);
      const status = await openInvoice(resumable.link);
      const next = afterInvoice(resumable, status);
      if (next.next === "card") {
        keepCard(next.card);
        hapticNotify("warning");
        return "card";
      }
      keepCard(null);
      setWaitingCredit(true);
      try {
        const paid = await waitForCredit(resumable.id);
        if (!paid) {
          keepCard(resumable);
          return "card";
        }
        hapticNotify("success");
        await queryClient.invalidateQueries();
        return "credited";
      } finally {
        setWaitingCredit(false);
      }
    },
    [keepCard, queryClient],
  );

  const payStars = useCallback(
    async (request: InvoiceRequest): Promise<PayOutcome> => {
      if (busy.current) return "failed";
      busy.current = true;
      resetDevTopup();
      try {
        const payment = await createInvoice(request);
        return await settle({
          id: payment.id,
          purpose: payment.purpose,
          stars: payment.stars,
          link: payment.invoice_link,
          kind: "stars",
        });
      } catch {
        hapticNotify("error"); // the toast shows the invoice's error
        return "failed";
      } finally {
        busy.current = false;
      }
    },
    [settle, createInvoice, resetDevTopup],
  );

  /** Debug builds only: the server pays the top-up through its own bot webhook (no Telegram). */
  const payDev = useCallback(
    async (stars: number): Promise<PayOutcome> => {
      if (busy.current) return "failed";
      busy.current = true;
      resetInvoice();
      try {
        const payment = await payDevTopup(stars); // a paid one refreshes everything
        if (payment.status !== "paid") return "failed";
        hapticNotify("success");
        return "credited";
      } catch {
        hapticNotify("error"); // the toast shows the top-up's error
        return "failed";
      } finally {
        busy.current = false;
      }
    },
    [payDevTopup, resetInvoice],
  );

  const askTopUp = useCallback((shortfall: number | null, onCredited?: () => void) => {
    setAmount(String(shortfall ?? 100));
    setTopUp({ shortfall, onCredited });
  }, []);
  const topUpStars = Math.max(
    Number.isInteger(Number(amount)) ? Number(amount) : 0,
    topUp?.shortfall ?? 1,
  );

  const continueCard = async () => {
    if (!card || busy.current) return;
    if (card.kind === "ton") {
      setTonStars(card.stars);
      return;
    }
    busy.current = true;
    try {
      await settle(card);
    } finally {
      busy.current = false;
    }
  };

  const cancelCard = () => {
    if (!card) return;
    const current = card;
    keepCard(null);
    if (current.kind === "stars") cancelPayment.mutate(current.id); // a failure leaves it to expire
  };

  const value = useMemo(() => ({ payStars, askTopUp, waiting }), [payStars, askTopUp, waiting]);

  return (
    <PaymentsContext.Provider value={value}>
      {children}
      {card && !waiting && (
        <div className="pay-card" data-testid="payment-card" role="status">
          <span>
            {t(card.purpose === "donation" ? "pay.cardDonation" : "pay.cardTopup", {
              count: card.stars,
            })}
          </span>
          <button
            className="button button--small"
            onClick={continueCard}
            data-testid="payment-continue"
          >
            {t("pay.continue")}
          </button>
          <button
            className="button button--small button--ghost"
            onClick={cancelCard}
            data-testid="payment-cancel"
          >
            {t("pay.cancel")}
          </button>
        </div>
      )}
      {waiting && (
        <div className="pay-wait" data-testid="payment-waiting" role="status">
          <div className="spinner spinner--small" /> {t("pay.waiting")}
        </div>
      )}
      {failure && (
        <div
          className="toast toast--error"
          role="alert"
          onClick={() => {
            resetInvoice();
            resetDevTopup();
          }}
        >
          {errorText(failure, t)}
        </div>
      )}
      {topUp && (
        <Sheet
          title={topUp.shortfall ? t("pay.shortTitle") : t("pay.topupTitle")}
          onClose={() => setTopUp(null)}
          testId="topup-sheet"
        >
          {topUp.shortfall ? <p>{t("pay.shortText", { count: topUp.shortfall })}</p> : null}
          <label className="form">
            {t("pay.amount")}
            <input
              type="number"
              inputMode="numeric"
              min={topUp.shortfall ?? 1}
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              data-testid="topup-amount"
            />
          </label>
          <button
            className="button button--wide"
            data-testid="topup-stars"
            onClick={async () => {
              const request = topUp;
              setTopUp(null);
              const outcome = await payStars({ purpose: "topup", stars: topUpStars });
              if (outcome === "credited") request.onCredited?.();
            }}
          >
            {t("pay.withStars", { count: topUpStars })}
          </button>
          <button
            className="button button--wide button--secondary"
            data-testid="topup-ton"
            onClick={() => {
              setTonStars(topUpStars);
              setTopUp(null);
            }}
          >
            💎 {t("pay.withTon")}
          </button>
          {/* Read once when the sheet opens: a standing subscription to the profile here would
              keep it from refreshing when a screen mounts (the profile's bonus count went stale). */}
          {devPaymentOffered(queryClient.getQueryData<Me>(keys.me())) && (
            <>
              <button
                className="button button--wide button--ghost"
                data-testid="topup-dev"
                onClick={async () => {
                  const request = topUp;
                  setTopUp(null);
                  const outcome = await payDev(topUpStars);
                  if (outcome === "credited") request.onCredited?.();
                }}
              >
                🧪 {t("pay.devComplete")}
              </button>
              <p className="hint">{t("pay.devHint")}</p>
            </>
          )}
        </Sheet>
      )}
      {tonStars !== null && (
        <Suspense fallback={null}>
          <TonTopUp
            stars={tonStars}
            onClose={(outcome, resumable) => {
              setTonStars(null);
              if (outcome === "credited") {
                keepCard(null);
                void queryClient.invalidateQueries();
              } else if (resumable) keepCard(resumable);
            }}
          />
        </Suspense>
      )}
    </PaymentsContext.Provider>
  );
}
