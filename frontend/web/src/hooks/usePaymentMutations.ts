import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type InvoiceRequest } from "../api";
import { useIntentKeys } from "./intentKeys";

export type { InvoiceRequest };

/** A Telegram Stars invoice (top-up or donation), one per intent: tried again after a failure it
 * reuses its key, so the server finishes the same payment instead of opening a second one. */
export function useInvoiceMutation() {
  const intents = useIntentKeys();
  const intent = (request: InvoiceRequest) => ["invoice", request];
  return useMutation({
    mutationFn: (request: InvoiceRequest) => api.invoice(request, intents.keyFor(intent(request))),
    onSuccess: (_payment, request) => intents.done(intent(request)),
  });
}

/** Debug builds only: a top-up the server pays through its own bot webhook. */
export function useDevTopupMutation() {
  const queryClient = useQueryClient();
  const intents = useIntentKeys();
  const intent = (stars: number) => ["dev-topup", stars];
  return useMutation({
    mutationFn: (stars: number) => api.devTopup(stars, intents.keyFor(intent(stars))),
    onSuccess: async (payment, stars) => {
      intents.done(intent(stars));
      if (payment.status === "paid") await queryClient.invalidateQueries();
    },
  });
}

/** Drop an unpaid Stars invoice (the "Cancel" on the payment card). */
export function useCancelPaymentMutation() {
  return useMutation({ mutationFn: (paymentId: string) => api.cancelPayment(paymentId) });
}

/** A TON top-up order: the address, amount and comment to pay. */
export function useTonTopupMutation() {
  const intents = useIntentKeys();
  const intent = (stars: number) => ["ton-topup", stars];
  return useMutation({
    mutationFn: (stars: number) => api.tonTopup(stars, intents.keyFor(intent(stars))),
    onSuccess: (_order, stars) => intents.done(intent(stars)),
  });
}

/** Ask the server to look for the order's transfer on chain now. */
export function useTonTopupCheckMutation() {
  return useMutation({ mutationFn: (orderId: string) => api.tonTopupCheck(orderId) });
}
