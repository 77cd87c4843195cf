import { describe, expect, it } from "vitest";
import { formatWeekRange, parseWeekKey, shiftWeek, weekOf, weekRange, weeksInYear } from "./weeks";

const iso = (date: Date | undefined) => date?.toISOString().slice(0, 10);

describe("ISO weeks", () => {
  it("parses YYYY-Www and refuses what is not a week", () => {
    expect(parseWeekKey("2026-W03")).toEqual({ year: 2026, week: 3 });
    expect(parseWeekKey("2020-W53")).toEqual({ year: 2020, week: 53 });
    for (const bad of ["2026-W00", "2025-W53", "2026-W3", "2026W03", "26-W03", "", "2026-w03"]) {
      expect(parseWeekKey(bad)).toBeNull();
    }
  });

  it("knows which years have 53 weeks", () => {
    const long = [2004, 2009, 2015, 2020, 2026, 2032];
    for (let year = 2000; year <= 2035; year += 1) {
      expect(weeksInYear(year)).toBe(long.includes(year) ? 53 : 52);
    }
  });

  it("gives a week's Monday to Sunday, also across New Year", () => {
    const week = (key: string) => {
      const range = weekRange(key);
      return [iso(range?.start), iso(range?.end)];
    };
    expect(week("2026-W03")).toEqual(["2026-01-12", "2026-01-18"]);
    expect(week("2026-W01")).toEqual(["2025-12-29", "2026-01-04"]);
    expect(week("2020-W53")).toEqual(["2020-12-28", "2021-01-03"]);
    expect(week("2021-W01")).toEqual(["2021-01-04", "2021-01-10"]);
    expect(weekRange("nonsense")).toBeNull();
  });

  it("finds the week of a date, whose year may differ from the date's", () => {
    expect(weekOf(new Date("2026-01-15T10:00:00Z"))).toEqual({ year: 2026, week: 3 });
    expect(weekOf(new Date("2021-01-01T00:00:00Z"))).toEqual({ year: 2020, week: 53 });
    expect(weekOf(new Date("2025-12-29T00:00:00Z"))).toEqual({ year: 2026, week: 1 });
    expect(weekOf(new Date("2024-12-31T23:59:59Z"))).toEqual({ year: 2025, week: 1 });
  });

  it("shifts by n weeks across year boundaries, 53-week years included", () => {
    expect(shiftWeek("2026-W03", -1)).toBe("2026-W02");
    expect(shiftWeek("2026-W01", -1)).toBe("2025-W52"); // 2025 has 52
    expect(shiftWeek("2021-W01", -1)).toBe("2020-W53"); // 2020 has 53
    expect(shiftWeek("2020-W53", 1)).toBe("2021-W01");
    expect(shiftWeek("2026-W52", 1)).toBe("2026-W53");
    expect(shiftWeek("2026-W53", 1)).toBe("2027-W01");
    expect(shiftWeek("2026-W03", 0)).toBe("2026-W03");
    expect(shiftWeek("2026-W03", -156)).toBe("2023-W03");
    expect(shiftWeek("2023-W03", 156)).toBe("2026-W03");
    expect(shiftWeek("bad", 1)).toBeNull();
    // Walking one week at a time through several years visits every week exactly once.
    let key = "2019-W01";
    const seen: string[] = [key];
    while (key !== "2022-W01") {
      key = shiftWeek(key, 1)!;
      seen.push(key);
    }
    expect(seen).toHaveLength(52 + 53 + 52 + 1);
    expect(seen).toContain("2020-W53");
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("shows the range in the player's language", () => {
    const en = formatWeekRange("2026-W03", "en");
    expect(en).toContain("Jan");
    expect(en).toContain("12");
    expect(en).toContain("18");
    const ru = formatWeekRange("2026-W03", "ru");
    expect(ru).toContain("янв");
    expect(ru).toContain("12");
    expect(ru).toContain("18");
    expect(formatWeekRange("2020-W53", "en")).toMatch(/Dec 28, 2020.*Jan 3, 2021/);
  });
});
