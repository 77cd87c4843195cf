import { act } from "react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { initI18n } from "./i18n";
import { reportBlocked } from "./lib/blocked";
import { resetLaunchClaims } from "./lib/launchIntent";
import type { LaunchParams } from "./telegram";
import { json, render, routeFetch, settle, type Rendered } from "./testing";

/** A socket that never connects: the screens here do not need one. */
class SilentSocket {
  readyState = 0;
  onopen = null;
  onclose = null;
  onmessage = null;
  send() {}
  close() {}
}

const me = {
  tg_id: 1,
  first_name: "Ann",
  display_name: "Ann",
  balance: 100,
  referral: { link: "https://t.me/bot/app?startapp=ref_1", code: "1" },
  bonus_run: null,
};

function server() {
  return routeFetch({
    "/api/v1/auth/telegram": json(200, { token: "jwt", user: me }),
    "/api/v1/me": json(200, me),
    "/api/v1/rooms/tiers": json(200, []),
    "/api/v1/rooms/current": json(200, { room: null }),
    "/api/v1/payments/pending": json(200, []),
  });
}

const launch = (startParam: string, hash = "h1"): LaunchParams => ({
  initData: `user=%7B%22id%22%3A1%7D&start_param=${startParam}&hash=${hash}`,
  version: "8.0",
  platform: "android",
  userUnsafe: { id: 1 },
  startParam,
});

const byId = (view: Rendered, id: string) =>
  view.container.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function start(params: LaunchParams) {
  const view = render(<App launch={params} />);
  await settle();
  await settle();
  return view;
}

beforeAll(() => {
  initI18n("en");
});
beforeEach(() => {
  window.location.hash = "#/";
  sessionStorage.clear();
  resetLaunchClaims();
  vi.stubGlobal("fetch", server().fetch);
  vi.stubGlobal("WebSocket", SilentSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("opening the app from a hero room's link", () => {
  it("lands on the join form with the key filled in and Join focused", async () => {
    const view = await start(launch("hero_ab12cd"));
    expect(byId(view, "create")).not.toBeNull();
    expect((byId(view, "hero-key-input") as HTMLInputElement).value).toBe("AB12CD");
    expect(byId(view, "hero-invite-note")?.textContent).toContain(
      "You were invited to a hero room",
    );
    expect(document.activeElement).toBe(byId(view, "hero-join"));
    // Nothing was charged: joining waits for the player's tap.
    expect(window.location.hash).toBe("#/create");

    // Away and back: the invitation is not repeated.
    act(() => byId(view, "nav-home")!.click());
    await settle();
    act(() => byId(view, "nav-create")!.click());
    await settle();
    expect((byId(view, "hero-key-input") as HTMLInputElement).value).toBe("");
    expect(byId(view, "hero-invite-note")).toBeNull();
    view.unmount();
  });

  it("only once per launch, even after a reload", async () => {
    const first = await start(launch("hero_AB12CD"));
    expect(byId(first, "create")).not.toBeNull();
    first.unmount();
    window.location.hash = "#/";
    const reload = await start(launch("hero_AB12CD"));
    expect(byId(reload, "home")).not.toBeNull();
    reload.unmount();
  });

  it.each(["hero_", "hero_A!", "ref_5", "hero_ABCDEFGHIJKLMNOP"])(
    "ignores a malformed start parameter (%s)",
    async (param) => {
      const view = await start(launch(param, `h-${param}`));
      expect(byId(view, "home")).not.toBeNull();
      expect(byId(view, "create")).toBeNull();
      view.unmount();
    },
  );
});

describe("a player blocked while playing", () => {
  it("sees the blocked screen instead of the app", async () => {
    const view = await start(launch(""));
    expect(byId(view, "home")).not.toBeNull();
    act(() => reportBlocked());
    expect(byId(view, "home")).toBeNull();
    expect(byId(view, "login-error")?.textContent).toContain("Your account is blocked");
    view.unmount();
  });
});
