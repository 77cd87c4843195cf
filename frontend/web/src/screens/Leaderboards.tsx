import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Presets } from "../api";
import { Avatar } from "../components/Avatar";
import { displayName } from "../components/Header";
import { ErrorNote, Loading } from "../components/Loading";
import { Sheet } from "../components/Sheet";
import { useMe } from "../hooks/useMe";
import { errorText } from "../lib/errors";
import { useDebounced } from "../lib/useDebounced";
import { formatWeekRange, shiftWeek } from "../lib/weeks";
import { usePayments } from "../payments/PaymentsProvider";
import { keys } from "../queryKeys";
import { openTelegramLink } from "../telegram";

const GAME_PERIODS = ["today", "week", "all-time"] as const;
const DONATION_BOARDS = ["all-time", "week", "referrals"] as const;
const PAGE = 50;

function Tabs<T extends string>({
  values,
  value,
  onChange,
  label,
  prefix,
}: {
  values: readonly T[];
  value: T;
  onChange: (value: T) => void;
  label: (value: T) => string;
  prefix: string;
}) {
  return (
    <div className="tabs" role="tablist">
      {values.map((v) => (
        <button
          key={v}
          role="tab"
          aria-selected={v === value}
          className={`tabs__tab${v === value ? " is-active" : ""}`}
          onClick={() => onChange(v)}
          data-testid={`${prefix}-${v}`}
        >
          {label(v)}
        </button>
      ))}
    </div>
  );
}

function GameBoard() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<(typeof GAME_PERIODS)[number]>("today");
  const board = useQuery({
    queryKey: keys.boards("games", period),
    queryFn: () => api.games(period),
  });
  return (
    <>
      <Tabs
        values={GAME_PERIODS}
        value={period}
        onChange={setPeriod}
        label={(v) => t(`boards.period.${v}`)}
        prefix="games"
      />
      {board.isPending && <Loading />}
      {board.isError && <ErrorNote error={board.error} />}
      {board.data && (
        <>
          <ol className="board" data-testid="games-board">
            {board.data.items.map((row) => (
              <li key={row.tg_id} className="board__row">
                <span className="board__rank">{row.rank}</span>
                <Avatar name={displayName(row)} photoUrl={row.photo_url} size={32} />
                <span className="board__name">{displayName(row)}</span>
                <span className="board__value">⭐ {row.stars_won}</span>
              </li>
            ))}
            {board.data.items.length === 0 && <li className="hint">{t("boards.empty")}</li>}
          </ol>
          <div className="me-block" data-testid="games-me">
            {t("boards.youWon", { stars: board.data.me.stars_won, count: board.data.me.wins })}
          </div>
        </>
      )}
    </>
  );
}

/** "‹ Jan 12 – 18, 2026 ›" over the weekly board; "next" stops at this week. */
function WeekPicker({
  week,
  isCurrent,
  onPrevious,
  onNext,
}: {
  week: string | null;
  isCurrent: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <div className="week-picker" data-testid="week-picker">
      <button
        className="icon-button"
        aria-label={t("boards.previousWeek")}
        disabled={!week}
        onClick={onPrevious}
        data-testid="week-previous"
      >
        ‹
      </button>
      <span className="week-picker__range" data-testid="week-range" data-week={week ?? ""}>
        {week && formatWeekRange(week, i18n.language)}
        {isCurrent && <span className="hint"> · {t("boards.thisWeek")}</span>}
      </span>
      <button
        className="icon-button"
        aria-label={t("boards.nextWeek")}
        disabled={isCurrent || !week}
        onClick={onNext}
        data-testid="week-next"
      >
        ›
      </button>
    </div>
  );
}

/** Share the player's referral link through Telegram's share sheet. */
function InviteButton() {
  const { t } = useTranslation();
  const me = useMe();
  const link = me.data?.referral.link;
  return (
    <button
      className="button button--wide"
      disabled={!link}
      data-testid="invite-friend"
      onClick={() => {
        if (!link) return;
        openTelegramLink(
          `https://t.me/share/url?url=${encodeURIComponent(link)}` +
            `&text=${encodeURIComponent(t("boards.inviteText"))}`,
        );
      }}
    >
      🤝 {t("boards.invite")}
    </button>
  );
}

function DonationBoard() {
  const { t } = useTranslation();
  const [board, setBoard] = useState<(typeof DONATION_BOARDS)[number]>("all-time");
  // The weekly board's week: null is this week (the server's); ``currentWeek`` is its key, kept
  // when the player first steps back so "next" knows where to stop.
  const [week, setWeek] = useState<string | null>(null);
  const [currentWeek, setCurrentWeek] = useState<string | null>(null);
  const weekly = board === "week";
  const pages = useInfiniteQuery({
    queryKey: weekly
      ? keys.boards("donations", board, week ?? "current")
      : keys.boards("donations", board),
    queryFn: ({ pageParam }) => api.donations(board, pageParam, PAGE, weekly ? week : null),
    initialPageParam: 0,
    getNextPageParam: (last, all) => (last.has_more ? all.length * PAGE : undefined),
  });
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const me = pages.data?.pages[0]?.me;
  const shownWeek = week ?? pages.data?.pages[0]?.week_key ?? null;
  const previousWeek = () => {
    if (!shownWeek) return;
    if (week === null) setCurrentWeek(shownWeek);
    setWeek(shiftWeek(shownWeek, -1));
  };
  const nextWeek = () => {
    if (!shownWeek || week === null) return;
    const next = shiftWeek(shownWeek, 1);
    setWeek(!next || next === currentWeek ? null : next);
  };
  return (
    <>
      <Tabs
        values={DONATION_BOARDS}
        value={board}
        onChange={setBoard}
        label={(v) => t(`boards.donations.${v}`)}
        prefix="donations"
      />
      {weekly && (
        <WeekPicker
          week={shownWeek}
          isCurrent={week === null}
          onPrevious={previousWeek}
          onNext={nextWeek}
        />
      )}
      {board === "referrals" && <InviteButton />}
      {pages.isPending && <Loading />}
      {pages.isError && <ErrorNote error={pages.error} />}
      {me && (
        <div className="me-block" data-testid="donations-me">
          {me.rank
            ? t("boards.youRank", { rank: me.rank, tons: me.tons })
            : t("boards.youUnranked")}
        </div>
      )}
      <ol className="board" data-testid="donations-board">
        {items.map((row) => (
          <li key={row.tg_id} className="board__row">
            <span className="board__rank">{row.rank}</span>
            <Avatar name={displayName(row)} photoUrl={row.photo_url} size={32} />
            <span className="board__name">{displayName(row)}</span>
            <span className="board__value">
              {row.tons} {t("boards.tons")}
              {board === "referrals" && row.referrals_count !== undefined && (
                <span className="hint">
                  {" "}
                  · {t("boards.referrals", { count: row.referrals_count })}
                </span>
              )}
            </span>
          </li>
        ))}
        {pages.data && items.length === 0 && <li className="hint">{t("boards.empty")}</li>}
      </ol>
      {pages.hasNextPage && (
        <button
          className="button button--ghost button--wide"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
          data-testid="show-more"
        >
          {t("boards.showMore")}
        </button>
      )}
    </>
  );
}

function DonateSheet({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { payStars } = usePayments();
  const presets = useQuery({ queryKey: keys.presets(), queryFn: api.presets });
  const [custom, setCustom] = useState("");
  const [error, setError] = useState<string | null>(null);

  const donate = async (body: { preset_id?: number; stars?: number }) => {
    onClose();
    const outcome = await payStars({ purpose: "donation", ...body });
    if (outcome === "credited") {
      await queryClient.invalidateQueries({ queryKey: keys.boards("donations") });
      await queryClient.invalidateQueries({ queryKey: keys.presets() });
    }
  };

  const limits = presets.data?.custom;
  return (
    <Sheet title={t("donate.title")} onClose={onClose} testId="donate-sheet">
      {presets.isPending && <Loading />}
      {presets.isError && <ErrorNote error={presets.error} />}
      <div className="presets">
        {presets.data?.presets.map((preset) => (
          <button
            key={preset.id}
            className="preset"
            data-testid={`preset-${preset.place}`}
            onClick={() => void donate({ preset_id: preset.id })}
          >
            <span className="preset__title">{preset.title}</span>
            <span>⭐ {preset.stars}</span>
            <span className="hint">
              {preset.tons} {t("boards.tons")} ·{" "}
              {t("donate.rankAfter", { rank: preset.weekly_rank_after })}
            </span>
          </button>
        ))}
      </div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const stars = Number(custom);
          if (
            !Number.isInteger(stars) ||
            (limits && (stars < limits.min_stars || stars > limits.max_stars))
          ) {
            setError(
              t("donate.customInvalid", {
                min: limits?.min_stars ?? 1,
                max: limits?.max_stars ?? 0,
              }),
            );
            return;
          }
          void donate({ stars });
        }}
      >
        <label>
          {t("donate.custom")}
          <input
            type="number"
            inputMode="numeric"
            min={limits?.min_stars ?? 1}
            max={limits?.max_stars}
            value={custom}
            onChange={(event) => {
              setCustom(event.target.value);
              setError(null);
            }}
            data-testid="donate-custom"
          />
        </label>
        <CustomPreview value={custom} limits={limits} />
        <button className="button button--wide" data-testid="donate-custom-submit">
          {t("donate.submit")}
        </button>
        {error && <p className="error-note">{error}</p>}
      </form>
    </Sheet>
  );
}

/** How long the amount must stay unchanged before its rank is asked for. */
export const PREVIEW_DEBOUNCE_MS = 300;

/** "You would be #N this week" for the amount being typed (debounced); an amount outside the
 * limits shows them instead. The server's answer decides (its 400 carries the limits too). */
function CustomPreview({
  value,
  limits,
}: {
  value: string;
  limits: Presets["custom"] | undefined;
}) {
  const { t } = useTranslation();
  const typed = value.trim() === "" ? NaN : Number(value);
  const stars = Number.isInteger(typed) && typed > 0 ? typed : null;
  const settled = useDebounced(stars, PREVIEW_DEBOUNCE_MS);
  const outside =
    settled !== null && !!limits && (settled < limits.min_stars || settled > limits.max_stars);
  const preview = useQuery({
    queryKey: keys.presetPreview(settled ?? 0),
    queryFn: () => api.donationPreview(settled ?? 0),
    enabled: settled !== null && !outside,
    retry: false,
    staleTime: 15_000,
  });
  if (stars === null || settled !== stars) return null; // nothing typed, or still typing
  let text: string | null = null;
  let failed = false;
  if (outside && limits) {
    text = t("errors.amount_out_of_range", { min: limits.min_stars, max: limits.max_stars });
    failed = true;
  } else if (preview.isError) {
    text = errorText(preview.error, t);
    failed = true;
  } else if (preview.data) {
    text = t("donate.previewRank", { rank: preview.data.weekly_rank_after });
  }
  if (text === null) return null;
  return (
    <p
      className={failed ? "error-note" : "hint"}
      role="status"
      data-testid={failed ? "donate-preview-error" : "donate-preview"}
    >
      {text}
      {!failed && preview.data && (
        <>
          {" "}
          · {preview.data.tons} {t("boards.tons")}
        </>
      )}
    </p>
  );
}

export function Leaderboards() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<"games" | "donations">("games");
  const [donating, setDonating] = useState(false);
  return (
    <main className="screen screen--with-fab" data-testid="leaderboards">
      <h1>{t("boards.title")}</h1>
      <Tabs
        values={["games", "donations"] as const}
        value={kind}
        onChange={setKind}
        label={(v) => t(`boards.kind.${v}`)}
        prefix="boards"
      />
      {kind === "games" ? <GameBoard /> : <DonationBoard />}
      <button className="fab" onClick={() => setDonating(true)} data-testid="donate-button">
        💝 {t("donate.button")}
      </button>
      {donating && <DonateSheet onClose={() => setDonating(false)} />}
    </main>
  );
}
