import { act } from "react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GameRules } from "../api";
import i18n, { initI18n } from "../i18n";
import { keys } from "../queryKeys";
import { render, testQueryClient, type Rendered } from "../testing";
import Terms, { percent, termsValues } from "./Terms";

const rules = (extra: Partial<GameRules["bonus"]> = {}, houseShareBp = 250): GameRules => ({
  standard: {
    max_players: 10,
    min_players: 2,
    gather_seconds: 60,
    countdown_seconds: 3,
    game_seconds: 60,
    house_share_bp: houseShareBp,
  },
  hero: {
    max_players: 10,
    target_taps: 200,
    game_seconds: 60,
    timeout_seconds: 300,
    organizer_share_bp: 1000,
    winner_share_bp: 9000,
    min_fee: 1,
    max_fee: 10_000,
  },
  bonus: {
    target_taps: 500_000,
    duration_hours: 12,
    reward_stars: 75,
    cooldown_hours: 48,
    min_paid_games: 3,
    ...extra,
  },
  cheat_limit: 50,
  cheat_window_ms: 2000,
});

function show(data: GameRules): Rendered {
  const client = testQueryClient();
  client.setQueryData(keys.rules(), data);
  return render(<Terms />, client);
}

describe("Rules & terms", () => {
  let view: Rendered | null = null;
  beforeAll(() => {
    initI18n("en");
  });
  afterEach(() => {
    view?.unmount();
    view = null;
  });

  it("reads shares in basis points as percentages", () => {
    expect(percent(250)).toBe("2.5");
    expect(percent(1000)).toBe("10");
    expect(percent(0)).toBe("0");
  });

  it.each(["en", "ru"])(
    "shows the operator's figures, every placeholder filled (%s)",
    async (lang) => {
      await act(() => i18n.changeLanguage(lang));
      view = show(rules());
      const text = view.container.textContent ?? "";
      expect(text).not.toContain("{{");
      const section = (id: string) =>
        view!.container.querySelector(`[data-testid="terms-${id}"]`)?.textContent ?? "";
      expect(section("shares")).toContain("2.5 %");
      expect(section("shares")).toContain("10 %");
      expect(section("bonus")).toMatch(/500[\s\u00a0,.]?000/);
      expect(section("bonus")).toContain("12");
      expect(section("bonus")).toContain("⭐ 75");
      expect(section("bonus")).toContain("48");
      expect(section("bonus")).toContain("3");
      expect(section("refunds")).toContain("5");
      expect(section("cheating")).toContain("50");
    },
  );

  it("says nothing about paid games when the bonus needs none", async () => {
    await act(() => i18n.changeLanguage("en"));
    view = show(rules({ min_paid_games: 0 }));
    expect(view.container.textContent).not.toContain("paid game");
  });

  it("gives every section's text exactly the values it names", () => {
    const values = termsValues(rules());
    for (const lang of ["en", "ru"]) {
      const sections = i18n.getResource(lang, "translation", "terms.sections") as Record<
        string,
        Record<string, string>
      >;
      for (const texts of Object.values(sections)) {
        for (const text of Object.values(texts)) {
          for (const [, name] of text.matchAll(/\{\{\s*(\w+)/g)) {
            expect(name === "count" || name! in values, `${lang}: {{${name}}}`).toBe(true);
          }
        }
      }
    }
  });
});
