import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../api";
import schemaSource from "../api-schema.ts?raw";
import en from "../i18n/en.json";
import ru from "../i18n/ru.json";
import i18n, { initI18n } from "../i18n";
import { TERMS_SECTIONS } from "../screens/Terms";
import {
  botLink,
  HISTORY_RESULTS,
  LEDGER_KINDS,
  ledgerReason,
  ledgerReasonKeys,
  signed,
} from "./history";

type Tree = { [key: string]: string | Tree };

/** The value at a dotted key, or undefined. */
function lookup(tree: Tree, key: string): string | Tree | undefined {
  return key
    .split(".")
    .reduce<string | Tree | undefined>(
      (node, part) => (typeof node === "object" ? node[part] : undefined),
      tree,
    );
}

/** The members of a string enum in the generated schema types. */
function schemaEnum(name: string): string[] {
  const match = new RegExp(`${name}:([^;]+);`).exec(schemaSource);
  if (!match?.[1]) throw new Error(`${name} is not in api-schema.ts`);
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

const entry = (kind: LedgerEntry["kind"], cause_type = "", cause_id = "") => ({
  kind,
  cause_type,
  cause_id,
});

function say(language: "en" | "ru", e: ReturnType<typeof entry>): string {
  const reason = ledgerReason(e);
  return i18n.getFixedT(language)(reason.key, reason.values);
}

describe("the reason of a ledger entry", () => {
  initI18n("en");

  it("is known for every kind the server's schema lists", () => {
    const kinds = schemaEnum("LedgerEntryKindEnum");
    expect(kinds.length).toBeGreaterThanOrEqual(9);
    expect(Object.keys(LEDGER_KINDS).sort()).toEqual([...kinds].sort());
  });

  it("has a sentence in English and in Russian for every kind and cause", () => {
    for (const tree of [en, ru] as Tree[]) {
      const missing = ledgerReasonKeys().filter((key) => typeof lookup(tree, key) !== "string");
      expect(missing).toEqual([]);
    }
    for (const kind of schemaEnum("LedgerEntryKindEnum")) {
      for (const cause of [
        entry(kind as LedgerEntry["kind"]),
        entry(kind as LedgerEntry["kind"], "room", "5"),
      ]) {
        for (const language of ["en", "ru"] as const) {
          const text = say(language, cause);
          expect(text).not.toContain("history.");
          expect(text.trim()).not.toBe("");
        }
      }
    }
  });

  it("names the room, the TON top-up and the support's adjustment", () => {
    expect(say("en", entry("entry_fee", "room", "12"))).toBe("Room #12 fee");
    expect(say("en", entry("prize", "room", "12"))).toBe("Prize in room #12");
    expect(say("en", entry("room_refund", "room", "12"))).toBe("Refund: room #12");
    expect(say("en", entry("organizer_share", "room", "12"))).toBe("Organizer's share of room #12");
    expect(say("en", entry("topup", "star_charge", "u-u-i-d"))).toBe("Top-up");
    expect(say("en", entry("topup", "ton_topup", "u-u-i-d"))).toBe("TON top-up");
    expect(say("en", entry("topup", "ton_transfer", "x"))).toBe("TON top-up");
    expect(say("en", entry("bonus_reward", "bonus_run", "3"))).toBe("Bonus reward");
    expect(say("en", entry("support_refund", "star_charge", "u"))).toBe("Support refund");
    expect(say("en", entry("adjustment", "staff_action"))).toBe("Adjustment by support");
    expect(say("en", entry("adjustment"))).toBe("Adjustment");
    expect(say("en", entry("debt_settlement", "star_debt", "1"))).toBe("Debt settlement");
    expect(say("ru", entry("entry_fee", "room", "12"))).toBe("Взнос за комнату #12");
    expect(say("ru", entry("topup", "ton_topup", "x"))).toBe("Пополнение в TON");
    // A room kind without its room still reads as a sentence.
    expect(say("en", entry("entry_fee"))).toBe("Room fee");
  });

  it("an unknown kind (a newer server) is still a sentence", () => {
    const unknown = { kind: "jackpot", cause_type: "", cause_id: "" } as unknown as LedgerEntry;
    expect(i18n.getFixedT("ru")(ledgerReason(unknown).key)).toBe("Движение звёзд");
  });
});

describe("the history screen's words", () => {
  it("exist for every result, room kind and terms section, in both languages", () => {
    expect(Object.keys(HISTORY_RESULTS).sort()).toEqual(schemaEnum("RoomHistoryResultEnum").sort());
    const keys = [
      ...schemaEnum("RoomHistoryResultEnum").map((r) => `history.result.${r}`),
      ...schemaEnum("KindEnum").map((k) => `history.roomKind.${k}`),
      ...["games", "stars"].map((tab) => `history.tabs.${tab}`),
      ...TERMS_SECTIONS.flatMap((id) => [
        `terms.sections.${id}.title`,
        `terms.sections.${id}.body`,
      ]),
    ];
    for (const tree of [en, ru] as Tree[]) {
      expect(keys.filter((key) => typeof lookup(tree, key) !== "string")).toEqual([]);
    }
  });

  it("counts with the plural forms of each language", () => {
    const tEn = i18n.getFixedT("en");
    const tRu = i18n.getFixedT("ru");
    expect(tEn("history.myTaps", { count: 1 })).toBe("You: 1 tap");
    expect(tEn("history.myTaps", { count: 5 })).toBe("You: 5 taps");
    expect(tRu("history.myTaps", { count: 1 })).toBe("Ты: 1 тап");
    expect(tRu("history.myTaps", { count: 3 })).toBe("Ты: 3 тапа");
    expect(tRu("history.myTaps", { count: 11 })).toBe("Ты: 11 тапов");
    expect(tRu("history.players", { count: 21 })).toBe("21 игрок");
    expect(tRu("history.players", { count: 5 })).toBe("5 игроков");
  });
});

describe("small helpers", () => {
  it("sign amounts with a real minus", () => {
    expect([signed(50), signed(-20), signed(0)]).toEqual(["+50", "−20", "0"]);
  });

  it("find the bot's chat from the referral link", () => {
    expect(botLink("https://t.me/ChanceTapBot/play?startapp=ref_5")).toBe(
      "https://t.me/ChanceTapBot",
    );
    expect(botLink("https://example.com/x")).toBeNull();
    expect(botLink("not a link")).toBeNull();
  });
});
