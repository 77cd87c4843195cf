import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import ru from "./ru.json";

export const resources = { en: { translation: en }, ru: { translation: ru } } as const;
export type Language = keyof typeof resources;

const RUSSIAN_SPEAKING = new Set(["ru", "uk", "be", "kk"]);
const LANGUAGE_KEY = "chancetap.language";

/** Russian for Russian-speaking Telegram users, English for everyone else. */
export function languageFor(languageCode: string | undefined | null): Language {
  const base = (languageCode ?? "").toLowerCase().split(/[-_]/)[0] ?? "";
  return RUSSIAN_SPEAKING.has(base) ? "ru" : "en";
}

export function storedLanguage(): Language | null {
  try {
    const value = localStorage.getItem(LANGUAGE_KEY);
    return value === "ru" || value === "en" ? value : null;
  } catch {
    return null;
  }
}

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // ignore: the choice lasts for this session only
  }
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

export function initI18n(languageCode: string | undefined | null): typeof i18n {
  const language = storedLanguage() ?? languageFor(languageCode);
  void i18n.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: "en",
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = language;
  return i18n;
}

export default i18n;
