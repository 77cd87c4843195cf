import { describe, expect, it } from "vitest";
import en from "./en.json";
import ru from "./ru.json";
import { CLOSED_NOTICE_KEYS } from "../screens/room/closed";
import { languageFor } from "./index";

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}

/** Plural forms differ by language (ru has _few/_many): compare the base keys. */
function baseKeys(tree: Tree): Set<string> {
  return new Set(keys(tree).map((key) => key.replace(/_(zero|one|two|few|many|other)$/, "")));
}

describe("i18n", () => {
  it("has every key in both languages", () => {
    expect([...baseKeys(ru as Tree)].sort()).toEqual([...baseKeys(en as Tree)].sort());
  });

  it("has no empty strings", () => {
    for (const tree of [en, ru] as Tree[]) {
      const walk = (node: Tree): void =>
        Object.values(node).forEach((value) =>
          typeof value === "string" ? expect(value.trim()).not.toBe("") : walk(value),
        );
      walk(tree);
    }
  });

  it("has every key the code uses, in both languages", () => {
    const sources = import.meta.glob(["../**/*.ts", "../**/*.tsx", "!../**/*.test.ts"], {
      query: "?raw",
      import: "default",
      eager: true,
    }) as Record<string, string>;
    const used = new Set<string>();
    for (const source of Object.values(sources)) {
      for (const match of source.matchAll(/\bt\(\s*"([a-zA-Z][\w.-]*)"/g)) used.add(match[1]!);
    }
    // Keys built from a value: every value must exist.
    for (const v of ["today", "week", "all-time"]) used.add(`boards.period.${v}`);
    for (const v of ["all-time", "week", "referrals"]) used.add(`boards.donations.${v}`);
    for (const v of ["games", "donations"]) used.add(`boards.kind.${v}`);
    for (const v of ["hero_timeout", "not_enough_players", "left", "not_found", "cancelled"])
      used.add(`room.closed.${v}`);
    for (const key of CLOSED_NOTICE_KEYS) used.add(key);
    used.add("pay.cardTopup");
    used.add("pay.cardDonation");
    expect(used.size).toBeGreaterThan(100);
    for (const tree of [en, ru] as Tree[]) {
      const known = baseKeys(tree);
      const missing = [...used].filter((key) => !known.has(key));
      expect(missing).toEqual([]);
    }
  });

  it("picks Russian for Russian-speaking users", () => {
    expect(languageFor("ru")).toBe("ru");
    expect(languageFor("uk")).toBe("ru");
    expect(languageFor("be-BY")).toBe("ru");
    expect(languageFor("kk")).toBe("ru");
    expect(languageFor("en")).toBe("en");
    expect(languageFor("de")).toBe("en");
    expect(languageFor(undefined)).toBe("en");
  });
});
