import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Telegram = typeof import("./telegram");

const user = { id: 42, first_name: "Анна Мария", language_code: "ru" };
const initData = new URLSearchParams({
  query_id: "AAH1",
  user: JSON.stringify(user),
  auth_date: "1700000000",
  start_param: "ref_7",
  signature: "c2lnbmF0dXJl",
  hash: "ab".repeat(32),
}).toString();

function launchHash(version = "8.0", data = initData): string {
  return `#tgWebAppData=${encodeURIComponent(data)}&tgWebAppVersion=${version}&tgWebAppPlatform=ios&tgWebAppThemeParams=${encodeURIComponent('{"bg_color":"#212121","text_color":"#ffffff"}')}`;
}

/** A fresh copy of the module and of the SDK's state behind it (components, version, emitter). */
async function fresh(hash: string): Promise<Telegram> {
  vi.resetModules();
  window.history.replaceState(null, "", `/${hash}`);
  return import("./telegram");
}

/** What the app asks of the client, as a Telegram webview proxy receives it. */
let events: [string, Record<string, unknown>][] = [];
beforeEach(() => {
  sessionStorage.clear();
  events = [];
  window.TelegramWebviewProxy = {
    postEvent: (type, data) => events.push([type, data ? (JSON.parse(data) as never) : {}]),
  };
});
afterEach(() => {
  delete window.TelegramWebviewProxy;
  window.history.replaceState(null, "", "/");
});
const sent = () => events.map(([type]) => type);

/** Deliver an event the way a Telegram client does (``Telegram.WebView.receiveEvent``). */
function receiveEvent(eventType: string, eventData: unknown): void {
  const { Telegram } = window as unknown as {
    Telegram: { WebView: { receiveEvent: (type: string, data: unknown) => void } };
  };
  Telegram.WebView.receiveEvent(eventType, eventData);
}

describe("readLaunchParams", () => {
  it("keeps initData exactly as received and reads the rest through the SDK", async () => {
    const telegram = await fresh(launchHash());
    const params = telegram.readLaunchParams();
    expect(params?.initData).toBe(initData);
    expect(params?.version).toBe("8.0");
    expect(params?.platform).toBe("ios");
    expect(params?.userUnsafe?.first_name).toBe("Анна Мария");
    expect(params?.userUnsafe?.language_code).toBe("ru");
  });

  it("still reads them after the router replaced the hash (a reload keeps them too)", async () => {
    const telegram = await fresh(launchHash());
    const first = telegram.readLaunchParams();
    window.history.replaceState(null, "", "/#/profile");
    expect(telegram.readLaunchParams()).toEqual(first);
  });

  it("is null outside Telegram", async () => {
    const telegram = await fresh("");
    expect(telegram.readLaunchParams()).toBeNull();
  });

  it("works where reading sessionStorage throws (third-party frame, site data blocked)", async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, "sessionStorage");
    Object.defineProperty(window, "sessionStorage", {
      configurable: true,
      get() {
        throw new DOMException("Access is denied for this document.", "SecurityError");
      },
    });
    try {
      const telegram = await fresh(launchHash());
      expect(telegram.readLaunchParams()?.initData).toBe(initData);
      telegram.initTelegram(telegram.readLaunchParams());
      telegram.setBackButton(true);
      expect(sent()).toContain("web_app_setup_back_button");
    } finally {
      if (descriptor) Object.defineProperty(window, "sessionStorage", descriptor);
    }
  });
});

describe("version checks", () => {
  async function startAt(version: string) {
    const telegram = await fresh(launchHash(version));
    telegram.initTelegram(telegram.readLaunchParams());
    telegram.setBackButton(true);
    telegram.setClosingConfirmation(true);
    telegram.hapticTap(1000);
    return telegram;
  }

  it("sends nothing newer than a 6.0 client supports", async () => {
    await startAt("6.0");
    expect(sent()).toContain("web_app_ready");
    expect(sent()).toContain("web_app_expand");
    // closing confirmation is 6.0: a paid game still asks before closing
    expect(events).toContainEqual(["web_app_setup_closing_behavior", { need_confirmation: true }]);
    for (const newer of [
      "web_app_setup_back_button", // 6.1
      "web_app_trigger_haptic_feedback", // 6.1
      "web_app_setup_swipe_behavior", // 7.7
      "web_app_request_safe_area", // 8.0
      "web_app_request_content_safe_area", // 8.0
    ]) {
      expect(sent()).not.toContain(newer);
    }
  });

  it("sends them to an 8.0 client", async () => {
    await startAt("8.0");
    expect(events).toContainEqual(["web_app_setup_back_button", { is_visible: true }]);
    expect(events).toContainEqual([
      "web_app_trigger_haptic_feedback",
      { type: "impact", impact_style: "light" },
    ]);
    expect(events).toContainEqual([
      "web_app_setup_swipe_behavior",
      { allow_vertical_swipe: false },
    ]);
    await vi.waitFor(() => expect(sent()).toContain("web_app_request_safe_area"));
  });

  it("does nothing outside Telegram (no launch parameters)", async () => {
    const telegram = await fresh("");
    delete window.TelegramWebviewProxy;
    telegram.initTelegram(telegram.readLaunchParams());
    telegram.setBackButton(true);
    telegram.hapticNotify("success");
    await expect(telegram.openInvoice("https://t.me/$AbC")).resolves.toBe("failed");
    expect(events).toEqual([]);
    expect(document.documentElement.dataset.scheme).toBe("light");
  });
});

describe("initTelegram", () => {
  it("binds the theme to --tg-theme-* and the colour scheme to data-scheme", async () => {
    const telegram = await fresh(launchHash());
    telegram.initTelegram(telegram.readLaunchParams());
    const root = document.documentElement;
    expect(root.style.getPropertyValue("--tg-theme-bg-color")).toBe("#212121");
    expect(root.dataset.scheme).toBe("dark");
    receiveEvent("theme_changed", {
      theme_params: { bg_color: "#ffffff", text_color: "#000000" },
    });
    expect(root.style.getPropertyValue("--tg-theme-bg-color")).toBe("#ffffff");
    expect(root.dataset.scheme).toBe("light");
  });

  it("binds the viewport and safe areas to the variables styles.css reads", async () => {
    const telegram = await fresh(launchHash());
    expect(telegram.viewportCssVar("stableHeight")).toBe("--tg-viewport-stable-height");
    expect(telegram.viewportCssVar("safeAreaInsetTop")).toBe("--tg-safe-area-inset-top");
    expect(telegram.viewportCssVar("contentSafeAreaInsetBottom")).toBe(
      "--tg-content-safe-area-inset-bottom",
    );
    telegram.initTelegram(telegram.readLaunchParams());
    // The client answers each request of the SDK's viewport (safe areas first, then the size).
    const answer = async (request: string, event: string, data: Record<string, unknown>) => {
      await vi.waitFor(() => expect(sent()).toContain(request));
      receiveEvent(event, data);
    };
    await answer("web_app_request_safe_area", "safe_area_changed", {
      top: 47,
      bottom: 34,
      left: 0,
      right: 0,
    });
    await answer("web_app_request_content_safe_area", "content_safe_area_changed", {
      top: 46,
      bottom: 0,
      left: 0,
      right: 0,
    });
    await answer("web_app_request_viewport", "viewport_changed", {
      height: 700,
      width: 390,
      is_state_stable: true,
      is_expanded: true,
    });
    const root = document.documentElement;
    await vi.waitFor(() =>
      expect(root.style.getPropertyValue("--tg-viewport-stable-height")).toBe("700px"),
    );
    expect(root.style.getPropertyValue("--tg-safe-area-inset-top")).toBe("47px");
    expect(root.style.getPropertyValue("--tg-content-safe-area-inset-top")).toBe("46px");
  });
});

describe("requests", () => {
  it("throttles haptics", async () => {
    const telegram = await fresh(launchHash());
    telegram.initTelegram(telegram.readLaunchParams());
    telegram.hapticTap(1000);
    telegram.hapticTap(1010);
    telegram.hapticTap(1100);
    expect(sent().filter((type) => type === "web_app_trigger_haptic_feedback")).toHaveLength(2);
  });

  it("opens an invoice and resolves with the status of invoice_closed", async () => {
    const telegram = await fresh(launchHash());
    telegram.initTelegram(telegram.readLaunchParams());
    const status = telegram.openInvoice("https://t.me/$AbC-12_x");
    await vi.waitFor(() =>
      expect(events).toContainEqual(["web_app_open_invoice", { slug: "AbC-12_x" }]),
    );
    receiveEvent("invoice_closed", { slug: "other", status: "paid" });
    receiveEvent("invoice_closed", {
      slug: "AbC-12_x",
      status: "cancelled",
    });
    await expect(status).resolves.toBe("cancelled");
    await expect(telegram.openInvoice("https://example.com/$AbC")).resolves.toBe("failed");
  });

  it("opens t.me links through Telegram and others in a new tab", async () => {
    const telegram = await fresh(launchHash());
    telegram.initTelegram(telegram.readLaunchParams());
    const open = vi.spyOn(window, "open").mockReturnValue(null);
    telegram.openTelegramLink("https://t.me/share/url?url=x");
    expect(events).toContainEqual(["web_app_open_tg_link", { path_full: "/share/url?url=x" }]);
    telegram.openTelegramLink("https://example.com/");
    expect(open).toHaveBeenCalledWith("https://example.com/", "_blank", "noopener");
    open.mockRestore();
  });
});

describe("origins", () => {
  it("reads the allowed origins from the page, Telegram Web's without it", async () => {
    const telegram = await fresh("");
    expect(telegram.telegramOrigins()).toEqual(["https://web.telegram.org"]);
    const meta = document.createElement("meta");
    meta.name = "chancetap-telegram-origins";
    meta.content = "https://web.telegram.org http://localhost:8123";
    document.head.append(meta);
    try {
      expect(telegram.telegramOrigins()).toEqual([
        "https://web.telegram.org",
        "http://localhost:8123",
      ]);
      expect(telegram.parentTargetOrigin(["https://webk.telegram.org"])).toBe(
        "https://webk.telegram.org",
      );
    } finally {
      meta.remove();
    }
  });

  it("drops messages from a parent frame of another origin", async () => {
    const telegram = await fresh(launchHash());
    const frame = document.createElement("iframe");
    document.body.append(frame);
    const parent = frame.contentWindow as Window;
    const descriptor = Object.getOwnPropertyDescriptor(window, "parent");
    Object.defineProperty(window, "parent", { configurable: true, get: () => parent });
    const stop = telegram.guardParentMessages(["https://web.telegram.org"]);
    try {
      const pressed = vi.fn();
      const off = telegram.onEvent("back_button_pressed", pressed);
      const post = (origin: string) =>
        window.dispatchEvent(
          new MessageEvent("message", {
            data: JSON.stringify({ eventType: "back_button_pressed" }),
            origin,
            source: parent,
          }),
        );
      post("https://evil.example");
      expect(pressed).not.toHaveBeenCalled();
      post("https://web.telegram.org");
      expect(pressed).toHaveBeenCalledTimes(1);
      off();
    } finally {
      stop();
      if (descriptor) Object.defineProperty(window, "parent", descriptor);
      frame.remove();
    }
  });
});
