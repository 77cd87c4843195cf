import { act } from "react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { TapButton } from "../screens/room/TapButton";
import { render } from "../testing";
import en from "./en.json";
import i18n, { initI18n } from "./index";
import ru from "./ru.json";

type Tree = { [key: string]: string | Tree };
const flat = (tree: Tree, prefix = ""): [string, string][] =>
  Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [[`${prefix}${key}`, value]] : flat(value, `${prefix}${key}.`),
  );
const PLURAL = /_(zero|one|two|few|many|other)$/;

describe("texts", () => {
  beforeAll(() => {
    initI18n("en");
  });
  afterEach(async () => {
    await act(() => i18n.changeLanguage("en"));
  });

  it.each([
    ["en", en],
    ["ru", ru],
  ] as const)("has every plural form the language needs (%s)", (lng, tree) => {
    const needed = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
    const keys = flat(tree as Tree).map(([key]) => key);
    const plurals = new Set(
      keys.filter((key) => PLURAL.test(key)).map((key) => key.replace(PLURAL, "")),
    );
    const missing = [...plurals].flatMap((base) =>
      needed.filter((form) => !keys.includes(`${base}_${form}`)).map((form) => `${base}_${form}`),
    );
    expect(plurals.size).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it("counts games, taps and referrals with the right word in English", () => {
    const t = i18n.getFixedT("en");
    expect(t("boards.youWon", { stars: 200, count: 1 })).toBe("You won ⭐ 200 in 1 game");
    expect(t("boards.youWon", { stars: 500, count: 3 })).toBe("You won ⭐ 500 in 3 games");
    expect(t("results.taps", { count: 1 })).toBe("1 tap");
    expect(t("results.taps", { count: 1200 })).toBe("1,200 taps");
    expect(t("boards.referrals", { count: 1 })).toBe("1 referral");
    expect(t("game.heroGoal", { count: 200 })).toBe("First to 200 taps wins");
    expect(t("bonus.progressShort", { taps: 1234, count: 1_000_000 })).toBe(
      "1,234 / 1,000,000 taps",
    );
  });

  it("counts games, taps and referrals with the right word in Russian", () => {
    const t = i18n.getFixedT("ru");
    expect(t("boards.youWon", { stars: 200, count: 1 })).toBe("Вы выиграли ⭐ 200 в 1 игре");
    expect(t("boards.youWon", { stars: 200, count: 2 })).toBe("Вы выиграли ⭐ 200 в 2 играх");
    expect(t("boards.youWon", { stars: 200, count: 21 })).toBe("Вы выиграли ⭐ 200 в 21 игре");
    expect([1, 3, 5, 21, 111].map((count) => t("results.taps", { count }))).toEqual([
      "1 тап",
      "3 тапа",
      "5 тапов",
      "21 тап",
      "111 тапов",
    ]);
    expect([1, 2, 11].map((count) => t("boards.referrals", { count }))).toEqual([
      "1 реферал",
      "2 реферала",
      "11 рефералов",
    ]);
    expect(t("game.heroGoal", { count: 200 })).toBe("Побеждает первый, кто сделает 200 тапов");
    expect(t("bonus.rules", { count: 1_000_000 })).toMatch(/^Наберите 1\s000\s000 тапов за/);
  });

  it("calls the currency TON, never tons or тонны", () => {
    const texts = [...flat(en as Tree), ...flat(ru as Tree)].map(([, text]) =>
      text.replace(/\{\{[^}]*\}\}/g, ""),
    );
    expect(texts.filter((text) => /\b[Tt]ons?\b|[Тт]онн/.test(text))).toEqual([]);
    expect(i18n.getFixedT("ru")("boards.youRank", { rank: 3, tons: 12 })).toBe("Вы: #3 · 12 TON");
  });

  it("labels the TAP button in the player's language", async () => {
    await act(() => i18n.changeLanguage("ru"));
    const view = render(<TapButton taps={7} locked={false} onTap={() => undefined} />);
    expect(view.container.querySelector(".tap-button__label")?.textContent).toBe("ТАП");
    view.unmount();
  });
});
