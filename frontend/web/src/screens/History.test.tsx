import { act } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { HistoryItem, LedgerEntry } from "../api";
import i18n, { initI18n } from "../i18n";
import { keys } from "../queryKeys";
import { fakeFetch, json, render, testQueryClient, type Rendered } from "../testing";
import { GamesTab, nextOffset, PaymentsTab, StarsTab } from "./History";

const askTopUp = vi.fn();
vi.mock("../payments/PaymentsProvider", () => ({ usePayments: () => ({ askTopUp }) }));

const game = (room_id: number, extra: Partial<HistoryItem> = {}): HistoryItem => ({
  room_id,
  kind: "standard",
  fee: 20,
  phase: "finished",
  result: "lost",
  taps: 12,
  won: false,
  prize: 0,
  pool: 60,
  players: 3,
  co_players: [
    { tg_id: 2, first_name: "Bob", taps: 30 },
    { tg_id: 3, first_name: "Cy", taps: 5 },
  ],
  created_at: "2026-01-02T10:00:00Z",
  finished_at: "2026-01-02T10:02:00Z",
  ...extra,
});

const ledger = (id: number, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id,
  kind: "entry_fee",
  amount: -20,
  balance_after: 30,
  cause_type: "room",
  cause_id: "12",
  memo: "",
  created_at: "2026-01-02T10:00:00Z",
  ...extra,
});

const page = <T,>(items: T[], offset: number, has_more: boolean) => ({
  items,
  offset,
  limit: 20,
  has_more,
});

/** Let the fake fetch's promises settle and React render what they brought. */
const settle = () =>
  act(async () => {
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
  });

const all = (view: Rendered, testId: string) =>
  [...view.container.querySelectorAll(`[data-testid="${testId}"]`)] as HTMLElement[];
const one = (view: Rendered, testId: string) =>
  view.container.querySelector(`[data-testid="${testId}"]`) as HTMLElement | null;

let view: Rendered | null = null;
const show = (ui: React.ReactNode, client = testQueryClient()) => {
  view = render(<MemoryRouter>{ui}</MemoryRouter>, client);
  return view;
};

beforeAll(() => {
  initI18n("en");
});

afterEach(() => {
  view?.unmount();
  view = null;
  vi.unstubAllGlobals();
  void i18n.changeLanguage("en");
});

describe("the games tab", () => {
  it("shows each game's result, fee, prize, taps and co-players, and loads more", async () => {
    const server = fakeFetch([
      json(
        200,
        page([game(9, { result: "won", won: true, prize: 60, taps: 40 }), game(8)], 0, true),
      ),
      json(
        200,
        page(
          [game(7, { result: "cancelled", phase: "cancelled", co_players: [], players: 1 })],
          2,
          false,
        ),
      ),
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const v = show(<GamesTab />);
    await settle();
    let rows = all(v, "history-game");
    expect(rows.map((r) => r.dataset.result)).toEqual(["won", "lost"]);
    expect(rows[0]?.textContent).toContain("Room #9");
    expect(rows[0]?.textContent).toContain("Won");
    expect(rows[0]?.textContent).toContain("Prize ⭐ 60");
    expect(rows[0]?.textContent).toContain("You: 40 taps");
    expect(rows[1]?.textContent).toContain("Lost");
    expect(rows[1]?.textContent).toContain("Fee ⭐ 20");
    expect(rows[1]?.textContent).toContain("3 players · With: Bob, Cy");
    expect(server.calls[0]?.path).toBe("/api/v1/rooms/history?limit=20&offset=0");

    act(() => one(v, "history-games-more")!.click());
    await settle();
    rows = all(v, "history-game");
    expect(rows.map((r) => r.dataset.result)).toEqual(["won", "lost", "cancelled"]);
    expect(rows[2]?.textContent).toContain("Cancelled · refunded");
    expect(rows[2]?.textContent).toContain("Fee ⭐ 20 returned");
    expect(rows[2]?.textContent).toContain("1 player · Nobody else joined");
    expect(server.calls[1]?.path).toBe("/api/v1/rooms/history?limit=20&offset=2");
    expect(one(v, "history-games-more")).toBeNull(); // the last page
  });

  it("is an invitation to play when there is no game yet", async () => {
    vi.stubGlobal("fetch", fakeFetch([json(200, page([], 0, false))]).fetch);
    const v = show(<GamesTab />);
    await settle();
    expect(one(v, "history-games-empty")?.textContent).toContain("No games yet");
    expect(one(v, "history-play")?.getAttribute("href")).toBe("/");
  });

  it("shows the error and tries again", async () => {
    const server = fakeFetch([
      json(503, { code: "unavailable", message: "Try later." }),
      json(200, page([game(1)], 0, false)),
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const v = show(<GamesTab />);
    await settle();
    expect(one(v, "history-games-error")?.textContent).toContain("Try later.");
    act(() => one(v, "history-games-error")!.querySelector("button")!.click());
    await settle();
    expect(all(v, "history-game")).toHaveLength(1);
  });

  it("speaks Russian with Russian plurals", async () => {
    await i18n.changeLanguage("ru");
    vi.stubGlobal(
      "fetch",
      fakeFetch([json(200, page([game(4, { taps: 3, players: 5 })], 0, false))]).fetch,
    );
    const v = show(<GamesTab />);
    await settle();
    const row = all(v, "history-game")[0]?.textContent ?? "";
    expect(row).toContain("Комната #4");
    expect(row).toContain("Проигрыш");
    expect(row).toContain("Ты: 3 тапа");
    expect(row).toContain("5 игроков");
  });
});

describe("the Stars tab", () => {
  it("lists every entry with its reason, signed amount and balance", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch([
        json(
          200,
          page(
            [
              ledger(3, { kind: "prize", amount: 60, balance_after: 90 }),
              ledger(2),
              ledger(1, {
                kind: "topup",
                amount: 50,
                balance_after: 50,
                cause_type: "ton_topup",
                cause_id: "x",
              }),
            ],
            0,
            false,
          ),
        ),
      ]).fetch,
    );
    const v = show(<StarsTab />);
    await settle();
    const rows = all(v, "history-entry").map((r) => r.textContent);
    expect(rows[0]).toContain("Prize in room #12");
    expect(rows[0]).toContain("+60 ⭐");
    expect(rows[0]).toContain("Balance ⭐ 90");
    expect(rows[1]).toContain("Room #12 fee");
    expect(rows[1]).toContain("−20 ⭐");
    expect(rows[2]).toContain("TON top-up");
    expect(one(v, "history-stars-more")).toBeNull();
  });

  it("offers a top-up when there is nothing yet", async () => {
    vi.stubGlobal("fetch", fakeFetch([json(200, page([], 0, false))]).fetch);
    const v = show(<StarsTab />);
    await settle();
    expect(one(v, "history-stars-empty")?.textContent).toContain("No Stars movements yet");
    act(() => one(v, "history-stars-empty")!.querySelector("button")!.click());
    expect(askTopUp).toHaveBeenCalledWith(null);
  });

  it("is cached under the history key of its tab", async () => {
    vi.stubGlobal("fetch", fakeFetch([json(200, page([ledger(1)], 0, false))]).fetch);
    const client = testQueryClient();
    show(<StarsTab />, client);
    await settle();
    expect(client.getQueryState(keys.history("stars"))?.status).toBe("success");
    expect(client.getQueryState(keys.history("games"))).toBeUndefined();
  });
});

describe("paging", () => {
  it("asks for the rows after those shown, until the server says it was the last page", () => {
    expect(nextOffset({ items: [1, 2], offset: 0, has_more: true })).toBe(2);
    expect(nextOffset({ items: [1], offset: 40, has_more: true })).toBe(41);
    expect(nextOffset({ items: [1], offset: 40, has_more: false })).toBeUndefined();
  });
});

describe("the payments tab", () => {
  it("lists top-ups and donations with the id support asks for, in Russian too", async () => {
    const charge = (id: string, purpose: "topup" | "donation", extra = {}) => ({
      charge_id: id,
      purpose,
      stars: purpose === "topup" ? 30 : 12,
      tons: purpose === "topup" ? "0" : "1.2",
      paid_at: "2026-01-02T10:00:00Z",
      refunded_at: null,
      ...extra,
    });
    const server = fakeFetch([
      json(
        200,
        page(
          [
            charge("stxDON", "donation"),
            charge("stxTOP", "topup", { refunded_at: "2026-01-03T10:00:00Z" }),
          ],
          0,
          false,
        ),
      ),
    ]);
    vi.stubGlobal("fetch", server.fetch);
    await act(() => i18n.changeLanguage("ru"));
    const v = show(<PaymentsTab />);
    await settle();
    const rows = all(v, "history-charge");
    expect(rows.map((r) => r.dataset.purpose)).toEqual(["donation", "topup"]);
    expect(rows[0]?.textContent).toContain("Донат");
    expect(rows[0]?.textContent).toContain("1.2 TON в рейтингах");
    expect(rows[0]?.textContent).toContain("stxDON");
    expect(rows[1]?.textContent).toContain("Пополнение звёздами");
    expect(rows[1]?.querySelector('[data-testid="history-charge-refunded"]')).not.toBeNull();
    expect(server.calls[0]?.path).toBe("/api/v1/payments/charges?limit=20&offset=0");
  });

  it("says so when there is no payment yet", async () => {
    vi.stubGlobal("fetch", fakeFetch([json(200, page([], 0, false))]).fetch);
    const v = show(<PaymentsTab />);
    await settle();
    expect(one(v, "history-payments-empty")?.textContent).toContain("No payments yet");
  });
});
