/** What the History screen says about a ledger entry or a game, as i18n keys and values. */
import type { HistoryResult, LedgerEntry, LedgerKind } from "../api";

export interface Phrase {
  key: string;
  values?: Record<string, string | number>;
}

/** Every ledger kind (the schema's ``LedgerEntryKindEnum``): ``Record`` makes the compiler
 * refuse a kind the server adds until it is named here. The value is the plain sentence's key;
 * kinds caused by a room also have ``history.inRoom.<kind>`` naming the room. */
export const LEDGER_KINDS: Record<LedgerKind, string> = {
  topup: "history.kind.topup",
  entry_fee: "history.kind.entry_fee",
  prize: "history.kind.prize",
  organizer_share: "history.kind.organizer_share",
  room_refund: "history.kind.room_refund",
  bonus_reward: "history.kind.bonus_reward",
  support_refund: "history.kind.support_refund",
  adjustment: "history.kind.adjustment",
  debt_settlement: "history.kind.debt_settlement",
};

/** Kinds whose sentence names the room that caused them. */
export const ROOM_KINDS: readonly LedgerKind[] = [
  "entry_fee",
  "prize",
  "organizer_share",
  "room_refund",
  "adjustment", // the house share of a room (seen by the house account only)
];

const TON_CAUSES = new Set(["ton_topup", "ton_transfer"]);

/** Why this entry exists: "Room #12 fee", "TON top-up", "Adjustment by support"… */
export function ledgerReason(entry: Pick<LedgerEntry, "kind" | "cause_type" | "cause_id">): Phrase {
  const room = entry.cause_type === "room" && entry.cause_id ? entry.cause_id : null;
  if (room && ROOM_KINDS.includes(entry.kind)) {
    return { key: `history.inRoom.${entry.kind}`, values: { room } };
  }
  if (entry.kind === "topup" && TON_CAUSES.has(entry.cause_type)) {
    return { key: "history.kind.topup_ton" };
  }
  if (entry.kind === "adjustment" && entry.cause_type === "staff_action") {
    return { key: "history.kind.adjustment_staff" };
  }
  return { key: LEDGER_KINDS[entry.kind] ?? "history.kind.unknown" };
}

/** Every key ``ledgerReason`` may answer (the i18n tests check both languages have them). */
export function ledgerReasonKeys(): string[] {
  return [
    ...Object.values(LEDGER_KINDS),
    ...ROOM_KINDS.map((kind) => `history.inRoom.${kind}`),
    "history.kind.topup_ton",
    "history.kind.adjustment_staff",
    "history.kind.unknown",
  ];
}

/** The game's result as an i18n key (``history.result.<result>``). */
export function resultKey(result: HistoryResult): string {
  return `history.result.${result}`;
}

export const HISTORY_RESULTS: Record<HistoryResult, true> = {
  won: true,
  lost: true,
  refunded: true,
  cancelled: true,
  in_progress: true,
};

/** A signed amount: "+50", "−20" (a real minus sign). */
export function signed(amount: number): string {
  return amount > 0 ? `+${amount}` : amount < 0 ? `−${Math.abs(amount)}` : "0";
}

/** The bot's chat (``https://t.me/<bot>``), read off the referral link
 * (``https://t.me/<bot>/<app>?startapp=…``); null when the link is not a t.me one. */
export function botLink(referralLink: string): string | null {
  try {
    const url = new URL(referralLink);
    const bot = url.pathname.split("/")[1];
    return url.hostname === "t.me" && bot ? `https://t.me/${bot}` : null;
  } catch {
    return null;
  }
}
