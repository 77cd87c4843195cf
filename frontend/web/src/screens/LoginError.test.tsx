import { act } from "react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ApiError } from "../api";
import i18n, { initI18n } from "../i18n";
import type { LaunchParams } from "../telegram";
import { json, render, type Rendered } from "../testing";
import { LoginError, loginRemedy } from "./LoginError";

const screen = (view: Rendered) => view.container.querySelector('[data-testid="login-error"]');
const buttons = (view: Rendered) =>
  [...view.container.querySelectorAll("button")].map((button) => button.textContent);

describe("the login error screen", () => {
  beforeAll(() => {
    initI18n("en");
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await act(() => i18n.changeLanguage("en"));
  });

  it("tells a blocked player so, with nothing to retry", async () => {
    await act(() => i18n.changeLanguage("ru"));
    const view = render(
      <LoginError error={new ApiError(403, "user_blocked", "blocked")} onRetry={vi.fn()} />,
    );
    expect(screen(view)?.textContent).toContain("Ваш аккаунт заблокирован");
    expect(screen(view)?.textContent).not.toContain("user_blocked");
    expect(buttons(view)).toEqual([]);
    view.unmount();
  });

  it("asks to reopen the app when Telegram's launch data expired", () => {
    const events: string[] = [];
    window.TelegramWebviewProxy = { postEvent: (type) => events.push(type) };
    const view = render(
      <LoginError
        error={new ApiError(401, "init_data_expired", "initData has expired")}
        onRetry={vi.fn()}
      />,
    );
    expect(screen(view)?.textContent).toContain("Close the app and open it again from the bot");
    expect(screen(view)?.textContent).not.toContain("init_data_expired");
    expect(buttons(view)).toEqual(["Close the app"]);
    act(() => view.container.querySelector("button")!.click());
    expect(events).toEqual(["web_app_close"]);
    delete window.TelegramWebviewProxy;
    view.unmount();
  });

  it("offers a retry when the server was only busy", () => {
    const onRetry = vi.fn();
    const view = render(
      <LoginError error={new ApiError(503, "service_busy", "busy")} onRetry={onRetry} />,
    );
    expect(screen(view)?.textContent).toContain("The service is busy");
    act(() => view.container.querySelector("button")!.click());
    expect(onRetry).toHaveBeenCalledOnce();
    view.unmount();
  });

  it("picks the remedy by code", () => {
    expect(loginRemedy("user_blocked")).toBe("blocked");
    expect(loginRemedy("init_data_hash_invalid")).toBe("reopen");
    expect(loginRemedy("token_unknown_user")).toBe("reopen");
    expect(loginRemedy("network_error")).toBe("retry");
    expect(loginRemedy("throttled")).toBe("retry");
  });

  it("is what the app shows when the login request fails", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        json(401, {
          code: "init_data_hash_invalid",
          message: "initData signature does not match.",
        })(),
      ),
    );
    const launch = { initData: "user=x&hash=y" } as LaunchParams;
    const view = render(<App launch={launch} />);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(screen(view)?.getAttribute("data-code")).toBe("init_data_hash_invalid");
    expect(screen(view)?.textContent).toContain("Telegram's sign-in data did not check out");
    expect(screen(view)?.textContent).not.toContain("signature does not match");
    view.unmount();
  });
});
