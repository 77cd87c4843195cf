/**
 * A small, typed layer over Telegram's Mini App contract.
 *
 * Launch parameters come from `window.Telegram.WebApp` when Telegram's script is present, or from
 * the URL hash the way Telegram clients pass them (`#tgWebAppData=…&tgWebAppThemeParams=…`). They
 * are kept in sessionStorage so a reload without the hash still works. Events go to Telegram
 * through `TelegramWebviewProxy.postEvent` (mobile/desktop) or `postMessage` to the parent (web).
 */

export type ThemeParams = Partial<Record<string, string>>;

export interface TelegramUserUnsafe {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  photo_url?: string;
}

export interface LaunchParams {
  /** The raw, signed initData exactly as received: only the server may trust it. */
  initData: string;
  version: string;
  platform: string;
  themeParams: ThemeParams;
  /** Parsed from initData for display before login; never trusted. */
  userUnsafe: TelegramUserUnsafe | null;
  startParam: string;
}

const STORAGE_KEY = "chancetap.launchParams";

interface WebAppGlobal {
  initData?: string;
  version?: string;
  platform?: string;
  themeParams?: ThemeParams;
}

declare global {
  interface Window {
    Telegram?: { WebApp?: WebAppGlobal };
    TelegramWebviewProxy?: { postEvent: (eventType: string, eventData: string) => void };
  }
}

function parseJson<T>(raw: string | null | undefined): T | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

function fromInitData(initData: string): Pick<LaunchParams, "userUnsafe" | "startParam"> {
  const params = new URLSearchParams(initData);
  return {
    userUnsafe: parseJson<TelegramUserUnsafe>(params.get("user")),
    startParam: params.get("start_param") ?? "",
  };
}

/** Parse launch parameters from a location hash such as `#tgWebAppData=…`. */
export function parseLaunchHash(hash: string): LaunchParams | null {
  const trimmed = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!trimmed) return null;
  const params = new URLSearchParams(trimmed);
  const initData = params.get("tgWebAppData");
  if (!initData) return null;
  return {
    initData,
    version: params.get("tgWebAppVersion") ?? "6.0",
    platform: params.get("tgWebAppPlatform") ?? "unknown",
    themeParams: parseJson<ThemeParams>(params.get("tgWebAppThemeParams")) ?? {},
    ...fromInitData(initData),
  };
}

export function readLaunchParams(
  location: Pick<Location, "hash"> = window.location,
  storage: Storage = window.sessionStorage,
): LaunchParams | null {
  const webApp = window.Telegram?.WebApp;
  let params: LaunchParams | null;
  if (webApp?.initData) {
    params = {
      initData: webApp.initData,
      version: webApp.version ?? "6.0",
      platform: webApp.platform ?? "unknown",
      themeParams: webApp.themeParams ?? {},
      ...fromInitData(webApp.initData),
    };
  } else {
    params = parseLaunchHash(location.hash);
  }
  if (params) {
    try {
      storage.setItem(STORAGE_KEY, JSON.stringify(params));
    } catch {
      // storage may be unavailable (private mode): the hash is enough this time
    }
    return params;
  }
  return parseJson<LaunchParams>(storage.getItem(STORAGE_KEY));
}

export function postEvent(eventType: string, eventData: Record<string, unknown> = {}): void {
  const data = JSON.stringify(eventData);
  if (window.TelegramWebviewProxy) {
    window.TelegramWebviewProxy.postEvent(eventType, data);
  } else if (window.parent !== window) {
    window.parent.postMessage(JSON.stringify({ eventType, eventData }), "*");
  }
}

const THEME_DEFAULTS: Record<string, string> = {
  bg_color: "#ffffff",
  text_color: "#000000",
  hint_color: "#707579",
  link_color: "#3390ec",
  button_color: "#3390ec",
  button_text_color: "#ffffff",
  secondary_bg_color: "#f4f4f5",
  section_bg_color: "#ffffff",
  destructive_text_color: "#e53935",
};

export function applyTheme(theme: ThemeParams, root: HTMLElement = document.documentElement) {
  const merged = { ...THEME_DEFAULTS, ...theme };
  for (const [key, value] of Object.entries(merged)) {
    if (value) root.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
  }
  const bg = merged.bg_color ?? "#ffffff";
  root.dataset.scheme = isDark(bg) ? "dark" : "light";
}

function isDark(hex: string): boolean {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!match?.[1]) return false;
  const n = parseInt(match[1], 16);
  const luminance = 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luminance < 128;
}

/** Tell Telegram the app is ready and take the full height. */
export function initTelegram(params: LaunchParams | null): void {
  applyTheme(params?.themeParams ?? {});
  postEvent("web_app_ready");
  postEvent("web_app_expand");
}

let lastHaptic = 0;
/** Light impact on taps, throttled so fast tapping does not flood the client. */
export function hapticTap(now: number = Date.now()): void {
  if (now - lastHaptic < 50) return;
  lastHaptic = now;
  postEvent("web_app_trigger_haptic_feedback", { type: "impact", impact_style: "light" });
}
