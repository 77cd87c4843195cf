/** The player's history (Profile → History): his games and every movement of his Stars. */
import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import {
  api,
  type ChargesPage,
  type HistoryItem,
  type HistoryPage,
  type LedgerEntry,
  type LedgerPage,
  type StarCharge,
} from "../api";
import { displayName } from "../components/Header";
import { ErrorNote, Loading } from "../components/Loading";
import { ledgerReason, resultKey, signed } from "../lib/history";
import { usePayments } from "../payments/PaymentsProvider";
import { keys, type HistoryTab } from "../queryKeys";

export const HISTORY_PAGE = 20;
const TABS: readonly HistoryTab[] = ["games", "stars", "payments"];

type Page = { items: unknown[]; offset: number; has_more: boolean };

/** The offset of the page after ``last`` (none when the server said it was the last). */
export function nextOffset(last: Page): number | undefined {
  return last.has_more ? last.offset + last.items.length : undefined;
}

function useDate() {
  const { i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
  return (iso: string) => format.format(new Date(iso));
}

/** Loading, error, empty, the rows and "Load more": one shape for both tabs. */
function Paged<P extends Page>({
  query,
  empty,
  testId,
  children,
}: {
  query: {
    data: InfiniteData<P> | undefined;
    isPending: boolean;
    isError: boolean;
    error: unknown;
    refetch: () => unknown;
    hasNextPage: boolean;
    fetchNextPage: () => unknown;
    isFetchingNextPage: boolean;
    isFetchNextPageError: boolean;
  };
  empty: ReactNode;
  testId: string;
  children: (items: P["items"]) => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isPending) return <Loading />;
  if (query.isError && !query.data) {
    return (
      <div className="history-state" data-testid={`${testId}-error`}>
        <ErrorNote error={query.error} />
        <button className="button button--small" onClick={() => void query.refetch()}>
          {t("history.retry")}
        </button>
      </div>
    );
  }
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  if (items.length === 0) return <>{empty}</>;
  return (
    <>
      <ul className="history-list" data-testid={testId}>
        {children(items)}
      </ul>
      {query.isFetchNextPageError && <ErrorNote error={query.error} />}
      {query.hasNextPage && (
        <button
          className="button button--secondary button--wide"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
          data-testid={`${testId}-more`}
        >
          {query.isFetchingNextPage ? t("history.loadingMore") : t("history.loadMore")}
        </button>
      )}
    </>
  );
}

function Outcome({ game }: { game: HistoryItem }) {
  const { t } = useTranslation();
  switch (game.result) {
    case "won":
      return (
        <strong className="amount amount--plus">{t("history.prize", { prize: game.prize })}</strong>
      );
    case "refunded":
    case "cancelled":
      return <span>{t("history.refundedFee", { fee: game.fee })}</span>;
    default:
      return <span>{t("history.pool", { pool: game.pool })}</span>;
  }
}

export function GameRow({ game }: { game: HistoryItem }) {
  const { t } = useTranslation();
  const date = useDate();
  const names = game.co_players.map((p) => displayName(p)).join(", ");
  return (
    <li className="history-row" data-testid="history-game" data-result={game.result}>
      <div className="history-row__line">
        <span className="history-row__title">
          {t("history.room", { room: game.room_id })}{" "}
          <span className="hint">· {t(`history.roomKind.${game.kind}`)}</span>
        </span>
        <span className={`result-badge result-badge--${game.result}`}>
          {t(resultKey(game.result))}
        </span>
      </div>
      <div className="history-row__line hint">
        <span>{date(game.finished_at ?? game.created_at)}</span>
        <span>{t("history.fee", { fee: game.fee })}</span>
      </div>
      <div className="history-row__line">
        <Outcome game={game} />
        <span>{t("history.myTaps", { count: game.taps })}</span>
      </div>
      <div className="hint">
        {t("history.players", { count: game.players })} ·{" "}
        {names ? t("history.with", { names }) : t("history.alone")}
      </div>
    </li>
  );
}

export function EntryRow({ entry }: { entry: LedgerEntry }) {
  const { t } = useTranslation();
  const date = useDate();
  const reason = ledgerReason(entry);
  return (
    <li className="history-row" data-testid="history-entry" data-kind={entry.kind}>
      <div className="history-row__line">
        <span className="history-row__title">{t(reason.key, reason.values)}</span>
        <strong className={`amount amount--${entry.amount > 0 ? "plus" : "minus"}`}>
          {signed(entry.amount)} ⭐
        </strong>
      </div>
      <div className="history-row__line hint">
        <span>{date(entry.created_at)}</span>
        <span>{t("history.balanceAfter", { balance: entry.balance_after })}</span>
      </div>
    </li>
  );
}

export function GamesTab() {
  const { t } = useTranslation();
  const query = useInfiniteQuery({
    queryKey: keys.history("games"),
    queryFn: ({ pageParam }): Promise<HistoryPage> => api.history(pageParam, HISTORY_PAGE),
    initialPageParam: 0,
    getNextPageParam: nextOffset,
  });
  return (
    <Paged
      query={query}
      testId="history-games"
      empty={
        <div className="history-state" data-testid="history-games-empty">
          <div className="history-state__icon" aria-hidden="true">
            🎲
          </div>
          <h2>{t("history.emptyGames")}</h2>
          <p className="hint">{t("history.emptyGamesHint")}</p>
          <Link className="button" to="/" data-testid="history-play">
            {t("history.play")}
          </Link>
        </div>
      }
    >
      {(items) => items.map((game) => <GameRow key={game.room_id} game={game} />)}
    </Paged>
  );
}

export function StarsTab() {
  const { t } = useTranslation();
  const { askTopUp } = usePayments();
  const query = useInfiniteQuery({
    queryKey: keys.history("stars"),
    queryFn: ({ pageParam }): Promise<LedgerPage> => api.ledger(pageParam, HISTORY_PAGE),
    initialPageParam: 0,
    getNextPageParam: nextOffset,
  });
  return (
    <Paged
      query={query}
      testId="history-stars"
      empty={
        <div className="history-state" data-testid="history-stars-empty">
          <div className="history-state__icon" aria-hidden="true">
            ⭐
          </div>
          <h2>{t("history.emptyStars")}</h2>
          <p className="hint">{t("history.emptyStarsHint")}</p>
          <button className="button" onClick={() => askTopUp(null)}>
            {t("history.topUp")}
          </button>
        </div>
      }
    >
      {(items) => items.map((entry) => <EntryRow key={entry.id} entry={entry} />)}
    </Paged>
  );
}

export function ChargeRow({ charge }: { charge: StarCharge }) {
  const { t } = useTranslation();
  const date = useDate();
  return (
    <li className="history-row" data-testid="history-charge" data-purpose={charge.purpose}>
      <div className="history-row__line">
        <span className="history-row__title">{t(`history.purpose.${charge.purpose}`)}</span>
        <strong className="amount">{charge.stars} ⭐</strong>
      </div>
      <div className="history-row__line hint">
        <span>{date(charge.paid_at)}</span>
        {charge.purpose === "donation" && (
          <span>{t("history.donationTons", { tons: charge.tons })}</span>
        )}
      </div>
      {charge.refunded_at && (
        <div className="hint" data-testid="history-charge-refunded">
          {t("history.chargeRefunded", { date: date(charge.refunded_at) })}
        </div>
      )}
      <div className="hint history-row__id">
        {t("history.chargeId")} <code>{charge.charge_id}</code>
      </div>
    </li>
  );
}

export function PaymentsTab() {
  const { t } = useTranslation();
  const query = useInfiniteQuery({
    queryKey: keys.history("payments"),
    queryFn: ({ pageParam }): Promise<ChargesPage> => api.charges(pageParam, HISTORY_PAGE),
    initialPageParam: 0,
    getNextPageParam: nextOffset,
  });
  return (
    <Paged
      query={query}
      testId="history-payments"
      empty={
        <div className="history-state" data-testid="history-payments-empty">
          <h2>{t("history.emptyPayments")}</h2>
          <p className="hint">{t("history.emptyPaymentsHint")}</p>
        </div>
      }
    >
      {(items) => items.map((charge) => <ChargeRow key={charge.charge_id} charge={charge} />)}
    </Paged>
  );
}

export default function History() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const asked = params.get("tab");
  const tab: HistoryTab = asked === "stars" || asked === "payments" ? asked : "games";
  return (
    <main className="screen" data-testid="history">
      <h1>{t("history.title")}</h1>
      <div className="tabs" role="tablist">
        {TABS.map((value) => (
          <button
            key={value}
            role="tab"
            aria-selected={value === tab}
            className={`tabs__tab${value === tab ? " is-active" : ""}`}
            onClick={() => setParams({ tab: value }, { replace: true })}
            data-testid={`history-tab-${value}`}
          >
            {t(`history.tabs.${value}`)}
          </button>
        ))}
      </div>
      {tab === "games" ? <GamesTab /> : tab === "stars" ? <StarsTab /> : <PaymentsTab />}
    </main>
  );
}
