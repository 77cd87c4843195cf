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

type EventHandler = (eventType: string, eventData: unknown) => void;

declare global {
  interface Window {
    Telegram?: {
      WebApp?: WebAppGlobal;
      WebView?: { receiveEvent: EventHandler };
    };
    TelegramWebviewProxy?: { postEvent: (eventType: string, eventData: string) => void };
    /** Telegram Desktop / older clients deliver events here. */
    TelegramGameProxy_receiveEvent?: EventHandler;
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
  storage?: Storage,
): LaunchParams | null {
  const store = () => storage ?? window.sessionStorage;
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
      store().setItem(STORAGE_KEY, JSON.stringify(params));
    } catch {
      // storage may be unavailable (private mode, or a third-party frame such as Telegram Web
      // with site data blocked: even reading window.sessionStorage throws): the hash is enough
    }
    return params;
  }
  try {
    return parseJson<LaunchParams>(store().getItem(STORAGE_KEY));
  } catch {
    return null;
  }
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
  installEventReceiver();
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  setVerticalSwipes(false);
  installViewport();
}

let lastHaptic = 0;
/** Light impact on taps, throttled so fast tapping does not flood the client. */
export function hapticTap(now: number = Date.now()): void {
  if (now - lastHaptic < 50) return;
  lastHaptic = now;
  postEvent("web_app_trigger_haptic_feedback", { type: "impact", impact_style: "light" });
}

// --- events from Telegram -------------------------------------------------------------------

type Listener = (data: Record<string, unknown>) => void;
const listeners = new Map<string, Set<Listener>>();

/** Deliver an event the way Telegram clients do (``Telegram.WebView.receiveEvent``). */
export function receiveEvent(eventType: string, eventData: unknown): void {
  const data = (eventData && typeof eventData === "object" ? eventData : {}) as Record<
    string,
    unknown
  >;
  for (const listener of listeners.get(eventType) ?? []) listener(data);
}

/** Subscribe to a raw Telegram event (``invoice_closed``, ``back_button_pressed``…). */
export function onEvent(eventType: string, listener: Listener): () => void {
  const set = listeners.get(eventType) ?? new Set<Listener>();
  set.add(listener);
  listeners.set(eventType, set);
  return () => set.delete(listener);
}

/** Install the receivers Telegram clients call (mobile/desktop) or post messages to (web). */
export function installEventReceiver(): void {
  window.Telegram = window.Telegram ?? {};
  window.Telegram.WebView = { receiveEvent };
  window.TelegramGameProxy_receiveEvent = receiveEvent;
  window.addEventListener("message", (event: MessageEvent) => {
    if (typeof event.data !== "string") return;
    try {
      const parsed = JSON.parse(event.data) as { eventType?: string; eventData?: unknown };
      if (typeof parsed.eventType === "string") receiveEvent(parsed.eventType, parsed.eventData);
    } catch {
      // not a Telegram message
    }
  });
}

// --- requests to Telegram -------------------------------------------------------------------

export function setBackButton(visible: boolean): void {
  postEvent("web_app_setup_back_button", { is_visible: visible });
}

export function setClosingConfirmation(needed: boolean): void {
  postEvent("web_app_setup_closing_behavior", { need_confirmation: needed });
}

export function setVerticalSwipes(allowed: boolean): void {
  postEvent("web_app_setup_swipe_behavior", { allow_vertical_swipe: allowed });
}

export function hapticNotify(type: "success" | "error" | "warning"): void {
  postEvent("web_app_trigger_haptic_feedback", { type: "notification", notification_type: type });
}

/** ``https://t.me/$slug`` or ``https://t.me/invoice/slug`` → ``slug`` (null for other links). */
export function invoiceSlug(link: string): string | null {
  const match = /^https:\/\/t\.me\/(?:\$|invoice\/)([A-Za-z0-9_-]+)\/?$/.exec(link.trim());
  return match?.[1] ?? null;
}

export type InvoiceStatus = "paid" | "cancelled" | "failed" | "pending";

/** Open a Stars invoice; resolves with the status from the ``invoice_closed`` event. */
export function openInvoice(link: string): Promise<InvoiceStatus> {
  const slug = invoiceSlug(link);
  if (!slug) return Promise.resolve("failed");
  return new Promise((resolve) => {
    const off = onEvent("invoice_closed", (data) => {
      if (data.slug !== slug) return;
      off();
      const status = String(data.status ?? "failed");
      resolve(
        status === "paid" || status === "cancelled" || status === "pending" ? status : "failed",
      );
    });
    postEvent("web_app_open_invoice", { slug });
  });
}

export function openTelegramLink(url: string): void {
  const parsed = new URL(url);
  if (parsed.hostname === "t.me" && (window.TelegramWebviewProxy || window.parent !== window)) {
    postEvent("web_app_open_tg_link", { path_full: parsed.pathname + parsed.search });
  } else {
    window.open(url, "_blank", "noopener");
  }
}

/** Safe-area insets Telegram reports (also mirrored to CSS variables). */
export function installViewport(root: HTMLElement = document.documentElement): void {
  const setInsets = (prefix: string) => (data: Record<string, unknown>) => {
    for (const side of ["top", "bottom", "left", "right"]) {
      const value = Number(data[side] ?? 0);
      root.style.setProperty(`--tg-${prefix}-inset-${side}`, `${value}px`);
    }
  };
  onEvent("safe_area_changed", setInsets("safe-area"));
  onEvent("content_safe_area_changed", setInsets("content-safe-area"));
  onEvent("viewport_changed", (data) => {
    const height = Number(data.height ?? 0);
    if (height > 0) {
      root.style.setProperty("--tg-viewport-height", `${height}px`);
      if (data.is_state_stable)
        root.style.setProperty("--tg-viewport-stable-height", `${height}px`);
    }
  });
  onEvent("theme_changed", (data) => {
    const theme = data.theme_params;
    if (theme && typeof theme === "object") applyTheme(theme as ThemeParams, root);
  });
  postEvent("web_app_request_safe_area");
  postEvent("web_app_request_content_safe_area");
  postEvent("web_app_request_viewport");
}
