/**
 * Every TanStack Query key the Mini App uses, in one place. Keys are arrays from the general to
 * the particular, so a shorter key matches all the longer ones when invalidating:
 * ``keys.boards("donations")`` covers every donation board.
 */
export type BoardKind = "games" | "donations";
export type HistoryTab = "games" | "stars" | "payments";

export const keys = {
  me: () => ["me"] as const,
  tiers: () => ["tiers"] as const,
  currentRoom: () => ["current-room"] as const,
  bonus: () => ["bonus"] as const,
  /** The game's rules as the operator set them (shares, limits, the bonus run). */
  rules: () => ["rules"] as const,
  presets: () => ["presets"] as const,
  /** The rank preview of a custom donation amount (under ``presets``: a donation stales both). */
  presetPreview: (stars: number) => ["presets", "preview", stars] as const,
  referrals: () => ["referrals"] as const,
  /** The player's history, ``history("stars")``; without a tab, every tab. */
  history: (tab?: HistoryTab) =>
    tab === undefined ? (["history"] as const) : (["history", tab] as const),
  /** One leaderboard, ``boards("games", "week")``; without a period, every board of that kind.
   * ``week`` picks one week of the weekly donation board (``"current"`` or ``2026-W03``). */
  boards: (kind: BoardKind, period?: string, week?: string) =>
    period === undefined
      ? (["boards", kind] as const)
      : week === undefined
        ? (["boards", kind, period] as const)
        : (["boards", kind, period, week] as const),
};
