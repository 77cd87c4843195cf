import { describe, expect, it } from "vitest";
import en from "./en.json";
import ru from "./ru.json";
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
