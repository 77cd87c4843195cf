import { act } from "react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import i18n, { initI18n } from "../i18n";
import { PaymentsProvider } from "../payments/PaymentsProvider";
import { keys } from "../queryKeys";
import {
  json,
  render,
  routeFetch,
  settle,
  testQueryClient,
  typeInto,
  type Rendered,
} from "../testing";
import { Leaderboards, PREVIEW_DEBOUNCE_MS } from "./Leaderboards";

// Telegram links open through the SDK (src/telegram.ts); here the URL it is asked to open.
const opened = vi.hoisted(() => [] as string[]);
vi.mock("../telegram", async (original) => ({
  ...(await original<typeof import("../telegram")>()),
  openTelegramLink: (url: string) => opened.push(url),
}));

const board = (name: string, week_key: string | null, who = "Ann") => ({
  limit: 50,
  offset: 0,
  has_more: false,
  board: name,
  week_key,
  items: [
    {
      rank: 1,
      tg_id: 7,
      username: "",
      first_name: `${who} ${week_key ?? ""}`.trim(),
      photo_url: "",
      tons: "1.5",
      referrals_count: 2,
    },
  ],
  me: { rank: null, tons: "0" },
});
const presets = {
  presets: [],
  custom: { min_stars: 10, max_stars: 1000 },
  rate: "0.01",
  week_key: "2026-W03",
};
const me = { tg_id: 1, balance: 5, referral: { link: "https://t.me/bot/app?startapp=ref_1" } };

/** The server: boards by path and ``week_key``; "this week" is ``current``. */
function server(current = "2026-W03") {
  return routeFetch({
    "/api/v1/payments/pending": json(200, []),
    "/api/v1/me": json(200, me),
    "/api/v1/leaderboards/games/": json(200, { items: [], me: { stars_won: 0, wins: 0 } }),
    "/api/v1/leaderboards/donations/week": (path) => {
      const week = new URL(path, "http://x").searchParams.get("week_key");
      return json(200, board("week", week ?? current))();
    },
    "/api/v1/leaderboards/donations/referrals": json(200, board("referrals", null, "Ref")),
    "/api/v1/leaderboards/donations/all-time": json(200, board("all-time", null)),
    "/api/v1/payments/presets/preview": (path) => {
      const stars = Number(new URL(path, "http://x").searchParams.get("stars"));
      if (stars > 500)
        return json(400, {
          code: "amount_out_of_range",
          message: "The amount must be between 10 and 500 Stars.",
          details: { min: 10, max: 500 },
        })();
      return json(200, {
        stars,
        tons: String(stars / 100),
        weekly_rank_after: stars >= 100 ? 1 : 4,
        week_key: current,
      })();
    },
    "/api/v1/payments/presets": json(200, presets),
  });
}

const byId = (view: Rendered, id: string) =>
  view.container.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const click = async (view: Rendered, id: string) => {
  act(() => byId(view, id)!.click());
  await settle();
};

async function open(fake: ReturnType<typeof server>) {
  vi.stubGlobal("fetch", fake.fetch);
  const client = testQueryClient();
  const view = render(
    <PaymentsProvider>
      <Leaderboards />
    </PaymentsProvider>,
    client,
  );
  await settle();
  return { view, client };
}

beforeAll(() => {
  initI18n("en");
});
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  delete window.TelegramWebviewProxy;
  await act(() => i18n.changeLanguage("en"));
});

describe("the weekly donation board's week picker", () => {
  it("steps back a week and forward again, never past this week", async () => {
    const fake = server();
    const { view, client } = await open(fake);
    await click(view, "boards-donations");
    await click(view, "donations-week");
    expect(byId(view, "week-range")?.dataset.week).toBe("2026-W03");
    expect(byId(view, "week-range")?.textContent).toMatch(/Jan 12\s*–\s*18, 2026 · this week/);
    expect((byId(view, "week-next") as HTMLButtonElement).disabled).toBe(true);
    expect(fake.paths.at(-1)).toBe("/api/v1/leaderboards/donations/week?limit=50&offset=0");

    await click(view, "week-previous");
    expect(fake.paths.at(-1)).toBe(
      "/api/v1/leaderboards/donations/week?limit=50&offset=0&week_key=2026-W02",
    );
    expect(byId(view, "week-range")?.textContent).toMatch(/Jan 5\s*–\s*11, 2026$/);
    expect(byId(view, "donations-board")?.textContent).toContain("Ann 2026-W02");
    expect((byId(view, "week-next") as HTMLButtonElement).disabled).toBe(false);
    // The week is part of the query key: each week is cached on its own.
    expect(client.getQueryData(keys.boards("donations", "week", "2026-W02"))).toBeTruthy();
    expect(client.getQueryData(keys.boards("donations", "week", "current"))).toBeTruthy();

    await click(view, "week-previous");
    expect(byId(view, "week-range")?.dataset.week).toBe("2026-W01");
    await click(view, "week-next");
    await click(view, "week-next");
    expect(byId(view, "week-range")?.dataset.week).toBe("2026-W03");
    expect(byId(view, "week-range")?.textContent).toContain("this week");
    expect((byId(view, "week-next") as HTMLButtonElement).disabled).toBe(true);
    view.unmount();
  });

  it("crosses into the previous year (2020 had 53 weeks), in Russian too", async () => {
    await act(() => i18n.changeLanguage("ru"));
    const fake = server("2021-W01");
    const { view } = await open(fake);
    await click(view, "boards-donations");
    await click(view, "donations-week");
    await click(view, "week-previous");
    expect(fake.paths.at(-1)).toContain("week_key=2020-W53");
    expect(byId(view, "week-range")?.textContent).toMatch(
      /^28 дек\. 2020\s*г\.\s*–\s*3 янв\. 2021\s*г\.$/,
    );
    view.unmount();
  });
});

describe("the referrals board", () => {
  it("offers to invite a friend with the player's referral link", async () => {
    await act(() => i18n.changeLanguage("ru"));
    opened.length = 0;
    const { view } = await open(server());
    await click(view, "boards-donations");
    expect(byId(view, "invite-friend")).toBeNull(); // only on the referrals tab
    await click(view, "donations-referrals");
    const button = byId(view, "invite-friend") as HTMLButtonElement;
    expect(button.textContent).toContain("Пригласить друга");
    await click(view, "invite-friend");
    expect(opened).toHaveLength(1);
    const url = new URL(opened[0]!);
    expect(`${url.origin}${url.pathname}`).toBe("https://t.me/share/url");
    expect(url.searchParams.get("url")).toBe(me.referral.link);
    expect(url.searchParams.get("text")).toContain("Chance Tap");
    view.unmount();
  });
});

describe("the donate sheet's custom amount", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });

  const previewCalls = (paths: string[]) => paths.filter((p) => p.includes("/presets/preview"));

  it("previews the weekly rank once the player stops typing", async () => {
    const fake = server();
    const { view, client } = await open(fake);
    await click(view, "donate-button");
    const input = byId(view, "donate-custom") as HTMLInputElement;
    typeInto(input, "2");
    typeInto(input, "25");
    typeInto(input, "250");
    await act(() => vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS - 1));
    expect(previewCalls(fake.paths)).toEqual([]);
    await act(() => vi.advanceTimersByTimeAsync(1));
    await settle();
    expect(previewCalls(fake.paths)).toEqual(["/api/v1/payments/presets/preview?stars=250"]);
    expect(byId(view, "donate-preview")?.textContent).toBe("You would be #1 this week · 2.5 TON");
    expect(client.getQueryData(keys.presetPreview(250))).toMatchObject({ weekly_rank_after: 1 });

    // Typing on hides the old amount's rank until the new one is known.
    typeInto(input, "50");
    expect(byId(view, "donate-preview")).toBeNull();
    await act(() => vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS));
    await settle();
    expect(byId(view, "donate-preview")?.textContent).toContain("#4");
    view.unmount();
  });

  it("shows the limits instead for an amount out of range", async () => {
    const fake = server();
    const { view } = await open(fake);
    await click(view, "donate-button");
    const input = byId(view, "donate-custom") as HTMLInputElement;
    // Below the limits the sheet knows: no request at all.
    typeInto(input, "5");
    await act(() => vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS));
    await settle();
    expect(previewCalls(fake.paths)).toEqual([]);
    expect(byId(view, "donate-preview-error")?.textContent).toBe(
      "Choose an amount from ⭐ 10 to ⭐ 1000.",
    );
    // The server's limits decide when they are narrower: its 400 carries them.
    typeInto(input, "700");
    await act(() => vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS));
    await settle();
    expect(previewCalls(fake.paths)).toEqual(["/api/v1/payments/presets/preview?stars=700"]);
    expect(byId(view, "donate-preview-error")?.textContent).toBe(
      "Choose an amount from ⭐ 10 to ⭐ 500.",
    );
    expect(byId(view, "donate-preview")).toBeNull();
    view.unmount();
  });
});
