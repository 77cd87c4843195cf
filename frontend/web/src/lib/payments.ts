/**
 * The "Continue" / "Cancel" card for an invoice the player closed without paying: kept in
 * localStorage and on the server (``/payments/pending``), restored after a reload.
 */
import type { Payment } from "../api";
import type { InvoiceStatus } from "../telegram";

export interface ResumablePayment {
  id: string;
  purpose: "topup" | "donation";
  stars: number;
  link: string;
  kind: "stars" | "ton";
}

/** The fields of a server payment the resume logic reads (the generated ``Payment`` type). */
export type ServerPayment = Pick<Payment, "id" | "purpose" | "stars" | "status" | "invoice_link">;

export const RESUME_KEY = "chancetap.resumePayment";

export function loadResume(storage?: Storage): ResumablePayment | null {
  try {
    // Reading window.localStorage itself throws where site data is blocked, so inside the try.
    const raw = (storage ?? localStorage).getItem(RESUME_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as ResumablePayment;
    return typeof value?.id === "string" && typeof value.stars === "number" ? value : null;
  } catch {
    return null;
  }
}

export function saveResume(value: ResumablePayment | null, storage?: Storage): void {
  try {
    const target = storage ?? localStorage;
    if (value) target.setItem(RESUME_KEY, JSON.stringify(value));
    else target.removeItem(RESUME_KEY);
  } catch {
    // storage unavailable: the server's pending list still restores it
  }
}

export type AfterInvoice =
  { next: "wait_credit"; card: null } | { next: "card"; card: ResumablePayment };

/** What the app does once Telegram closes the invoice. */
export function afterInvoice(payment: ResumablePayment, status: InvoiceStatus): AfterInvoice {
  if (status === "paid" || status === "pending") return { next: "wait_credit", card: null };
  return { next: "card", card: payment };
}

/**
 * Reconcile the local card with the server's pending invoices: a card whose payment is no longer
 * pending (paid or cancelled elsewhere) disappears; with no local card the newest pending
 * Stars invoice comes back.
 */
export function reconcileResume(
  local: ResumablePayment | null,
  pending: ServerPayment[],
): ResumablePayment | null {
  if (local?.kind === "ton") return local;
  const open = pending.filter((p) => p.status === "created" && p.invoice_link);
  if (local) {
    const match = open.find((p) => p.id === local.id);
    return match ? { ...local, link: match.invoice_link, stars: match.stars } : null;
  }
  const newest = open[0];
  if (!newest) return null;
  return {
    id: newest.id,
    purpose: newest.purpose,
    stars: newest.stars,
    link: newest.invoice_link,
    kind: "stars",
  };
}

/**
 * Whether the top-up sheet offers "Complete test payment": only when the server says it has
 * development payments (debug builds, ``dev_payments`` in ``/me``), never from a build flag.
 */
export function devPaymentOffered(me: { dev_payments?: unknown } | null | undefined): boolean {
  return me?.dev_payments === true;
}
