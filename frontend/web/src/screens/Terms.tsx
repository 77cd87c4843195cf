/** Rules & terms (Profile → Rules & terms, also /terms): the game's rules and the payment terms,
 * the fuller version of the bot's /terms, with the figures the operator set today (GET
 * /api/v1/rules) rather than figures written into the app. */
import { useTranslation } from "react-i18next";
import type { GameRules } from "../api";
import { ErrorNote, Loading } from "../components/Loading";
import { useRules } from "../hooks/useRules";

export const TERMS_SECTIONS = [
  "rooms",
  "winner",
  "shares",
  "refunds",
  "bonus",
  "donations",
  "ton",
  "cheating",
  "blocked",
  "support",
] as const;

/** A share in basis points as the percentage a player reads ("2.5", "10"). */
export function percent(basisPoints: number): string {
  return String(Math.round(basisPoints) / 100);
}

/** The values the sections' texts interpolate. */
export function termsValues(rules: GameRules): Record<string, string | number> {
  const { standard, hero, bonus } = rules;
  return {
    maxPlayers: standard.max_players,
    minPlayers: standard.min_players,
    gatherSeconds: standard.gather_seconds,
    countdownSeconds: standard.countdown_seconds,
    gameSeconds: standard.game_seconds,
    houseShare: percent(standard.house_share_bp),
    heroMinFee: hero.min_fee,
    heroMaxFee: hero.max_fee,
    heroTarget: hero.target_taps,
    heroGameSeconds: hero.game_seconds,
    heroTimeoutMinutes: Math.ceil(hero.timeout_seconds / 60),
    heroWinnerShare: percent(hero.winner_share_bp),
    organizerShare: percent(hero.organizer_share_bp),
    heroHouseShare: percent(10_000 - hero.winner_share_bp - hero.organizer_share_bp),
    bonusTarget: bonus.target_taps,
    bonusHours: bonus.duration_hours,
    bonusReward: bonus.reward_stars,
    cooldownHours: bonus.cooldown_hours,
    cheatLimit: rules.cheat_limit,
    cheatSeconds: rules.cheat_window_ms / 1000,
  };
}

export default function Terms() {
  const { t } = useTranslation();
  const rules = useRules();
  if (rules.isPending) return <Loading />;
  if (rules.isError) {
    return (
      <main className="screen terms" data-testid="terms">
        <h1>{t("terms.title")}</h1>
        <ErrorNote error={rules.error} />
      </main>
    );
  }
  const values = termsValues(rules.data);
  const paidGames = rules.data.bonus.min_paid_games;
  return (
    <main className="screen terms" data-testid="terms">
      <h1>{t("terms.title")}</h1>
      <p className="hint">{t("terms.intro")}</p>
      {TERMS_SECTIONS.map((id) => (
        <section key={id} className="card" data-testid={`terms-${id}`}>
          <h2>{t(`terms.sections.${id}.title`)}</h2>
          {t(`terms.sections.${id}.body`, values)
            .split("\n")
            .map((paragraph, index) => (
              <p key={index}>{paragraph}</p>
            ))}
          {id === "bonus" && paidGames > 0 && (
            <p>{t("terms.sections.bonus.paidGames", { count: paidGames })}</p>
          )}
        </section>
      ))}
      <p className="hint">{t("terms.paysupport")}</p>
    </main>
  );
}
