import i18next from "i18next";
import { beforeAll, describe, expect, it } from "vitest";
// Generated from the server's source by `manage.py error_codes` (make schema); make lint and the
// server's tests fail when it is stale, so a new code reaches this test with the commit adding it.
import catalogue from "../../../../docs/error-codes.json";
import { ApiError } from "../api";
import { errorText } from "../lib/errors";
import en from "./en.json";
import ru from "./ru.json";
import { resources } from "./index";

/** Codes the Mini App makes up itself (src/api.ts, src/App.tsx), not the server. */
const CLIENT_CODES = ["network_error", "http_error", "unexpected"];

type Texts = Record<string, string>;
const player = catalogue.player as Record<string, { details: string[]; sources: string[] }>;
const codes = Object.keys(player);
const languages = { en: en.errors as Texts, ru: ru.errors as Texts };

function variables(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((match) => match[1]!);
}

describe("error codes", () => {
  beforeAll(async () => {
    await i18next.init({ resources, lng: "en", fallbackLng: false });
  });

  it("reads the server's catalogue", () => {
    expect(codes.length).toBeGreaterThan(80);
    expect(codes).toContain("init_data_expired");
    expect(codes).not.toContain("adjustment_invalid"); // staff only (not_for_players)
  });

  it.each(Object.entries(languages))(
    "has a text for every code the server sends (%s)",
    (_, texts) => {
      const missing = codes.filter((code) => !texts[code]?.trim());
      expect(missing).toEqual([]);
    },
  );

  it("has the same codes in both languages, and none the server no longer sends", () => {
    expect(Object.keys(languages.ru).sort()).toEqual(Object.keys(languages.en).sort());
    const known = new Set([...codes, ...CLIENT_CODES]);
    expect(Object.keys(languages.en).filter((code) => !known.has(code))).toEqual([]);
  });

  it.each(Object.entries(languages))(
    "interpolates only details the server sends (%s)",
    (_, texts) => {
      const wrong = Object.entries(texts).flatMap(([code, text]) =>
        variables(text)
          .filter((name) => !(player[code]?.details ?? []).includes(name))
          .map((name) => `${code}: {{${name}}}`),
      );
      expect(wrong).toEqual([]);
    },
  );

  it.each(["en", "ru"])("shows every code translated, never the server's message (%s)", (lng) => {
    const t = i18next.getFixedT(lng);
    for (const code of codes) {
      const details = Object.fromEntries(player[code]!.details.map((name) => [name, 7]));
      const text = errorText(new ApiError(400, code, `server message for ${code}`, details), t);
      expect(text).toBe(t(`errors.${code}`, details));
      expect(text).not.toContain("server message");
      expect(text).not.toContain("{{");
    }
  });
});
