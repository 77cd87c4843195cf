import { beforeEach, describe, expect, it } from "vitest";
import { hapticTap, parseLaunchHash, postEvent, readLaunchParams } from "./telegram";

const user = { id: 42, first_name: "Анна Мария", language_code: "ru" };
const initData = new URLSearchParams({
  query_id: "AAH1",
  user: JSON.stringify(user),
  auth_date: "1700000000",
  start_param: "ref_7",
  hash: "ab".repeat(32),
}).toString();

function hashFor(data: string): string {
  return `#tgWebAppData=${encodeURIComponent(data)}&tgWebAppVersion=8.0&tgWebAppPlatform=ios&tgWebAppThemeParams=${encodeURIComponent('{"bg_color":"#212121"}')}`;
}

describe("parseLaunchHash", () => {
  it("keeps initData exactly as received and reads the rest", () => {
    const params = parseLaunchHash(hashFor(initData));
    expect(params?.initData).toBe(initData);
    expect(params?.platform).toBe("ios");
    expect(params?.themeParams.bg_color).toBe("#212121");
    expect(params?.userUnsafe?.first_name).toBe("Анна Мария");
    expect(params?.startParam).toBe("ref_7");
  });

  it("decodes + as a space and %20 alike in the user JSON", () => {
    expect(initData).toContain("+");
    const spaced = initData.replace(/\+/g, "%20");
    expect(parseLaunchHash(hashFor(spaced))?.userUnsafe?.first_name).toBe("Анна Мария");
  });

  it("returns null without initData", () => {
    expect(parseLaunchHash("")).toBeNull();
    expect(parseLaunchHash("#tgWebAppVersion=8.0")).toBeNull();
  });
});

describe("readLaunchParams", () => {
  beforeEach(() => sessionStorage.clear());

  it("falls back to sessionStorage after a reload without the hash", () => {
    const first = readLaunchParams({ hash: hashFor(initData) }, sessionStorage);
    const reloaded = readLaunchParams({ hash: "" }, sessionStorage);
    expect(reloaded).toEqual(first);
  });

  it("is null outside Telegram", () => {
    expect(readLaunchParams({ hash: "" }, sessionStorage)).toBeNull();
  });

  it("works where reading sessionStorage throws (third-party frame, site data blocked)", () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, "sessionStorage");
    Object.defineProperty(window, "sessionStorage", {
      configurable: true,
      get() {
        throw new DOMException("Access is denied for this document.", "SecurityError");
      },
    });
    try {
      expect(readLaunchParams({ hash: hashFor(initData) })?.initData).toBe(initData);
      expect(readLaunchParams({ hash: "" })).toBeNull();
    } finally {
      if (descriptor) Object.defineProperty(window, "sessionStorage", descriptor);
    }
  });
});

describe("postEvent", () => {
  it("uses the webview proxy and throttles haptics", () => {
    const events: [string, string][] = [];
    window.TelegramWebviewProxy = { postEvent: (type, data) => events.push([type, data]) };
    postEvent("web_app_ready");
    hapticTap(1000);
    hapticTap(1010);
    hapticTap(1100);
    expect(events.map(([type]) => type)).toEqual([
      "web_app_ready",
      "web_app_trigger_haptic_feedback",
      "web_app_trigger_haptic_feedback",
    ]);
    expect(JSON.parse(events[1]![1])).toEqual({ type: "impact", impact_style: "light" });
    delete window.TelegramWebviewProxy;
  });
});
