/**
 * Chance Tap's door to Telegram: the maintained Mini Apps SDK (`@tma.js/sdk-react`), set up once
 * by `initTelegram` and called through the few functions the screens use.
 *
 * - Launch parameters are the SDK's: from the URL (`#tgWebAppData=…&tgWebAppVersion=…`), the
 *   navigation entry or its sessionStorage copy; the raw initData goes to our server untouched.
 * - Every method goes through the SDK's `ifAvailable`, which checks it against the client's Mini
 *   Apps version: a method newer than the client is not sent (no swipe lock before 7.7, no safe
 *   areas before 8.0…), and nothing is sent outside Telegram.
 * - The SDK talks to `TelegramWebviewProxy` (mobile, desktop), or to the parent frame (Telegram
 *   Web); in a plain browser with launch parameters (the dev login) it gets the SDK's mock.
 * - Messages from the parent frame are accepted only from the origins in the page's
 *   `chancetap-telegram-origins` meta (the server's `CSP_FRAME_ANCESTORS` origins), or
 *   https://web.telegram.org without it; events go to the parent's origin when listed.
 */
import {
  backButton,
  closingBehavior,
  hapticFeedback,
  init,
  invoice,
  miniApp,
  mockTelegramEnv,
  on,
  openTelegramLink as sdkOpenTelegramLink,
  retrieveLaunchParams,
  retrieveRawInitData,
  setTargetOrigin,
  swipeBehavior,
  themeParams,
  viewport,
} from "@tma.js/sdk-react";

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
  /** Parsed from initData for display before login; never trusted. */
  userUnsafe: TelegramUserUnsafe | null;
  /** initData's ``start_param`` (``?startapp=…`` of the link that opened the app), or "". */
  startParam: string;
}

export const DEFAULT_TELEGRAM_ORIGINS = ["https://web.telegram.org"];

declare global {
  interface Window {
    /** Set by Telegram's mobile and desktop clients (and the browser tests' stub). */
    TelegramWebviewProxy?: { postEvent: (eventType: string, eventData: string) => void };
  }
}

// --- storage -----------------------------------------------------------------------------------

/** Where site data is blocked (a third-party frame such as Telegram Web), even reading
 * `window.sessionStorage` throws, and the SDK keeps its launch parameters and component state
 * there: give it a memory-only one instead. */
export function ensureSessionStorage(): void {
  try {
    void window.sessionStorage.length;
    return;
  } catch {
    // fall through to the in-memory storage
  }
  const items = new Map<string, string>();
  const memory: Storage = {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
  Object.defineProperty(window, "sessionStorage", { configurable: true, value: memory });
}

// --- launch parameters -------------------------------------------------------------------------

/** Launch parameters, or null outside Telegram (no valid `tgWebAppData` anywhere). */
export function readLaunchParams(): LaunchParams | null {
  ensureSessionStorage();
  try {
    const params = retrieveLaunchParams();
    const initData = retrieveRawInitData();
    if (!initData) return null;
    return {
      initData,
      version: params.tgWebAppVersion,
      platform: params.tgWebAppPlatform,
      userUnsafe: params.tgWebAppData?.user ?? null,
      startParam: params.tgWebAppData?.start_param ?? params.tgWebAppStartParam ?? "",
    };
  } catch {
    return null;
  }
}

// --- origins -----------------------------------------------------------------------------------

/** The origins of Telegram Web, whose frame may hold the app and talk to it. */
export function telegramOrigins(doc: Document = document): string[] {
  const meta = doc.querySelector('meta[name="chancetap-telegram-origins"]');
  const listed = meta?.getAttribute("content")?.split(/\s+/).filter(Boolean);
  return listed?.length ? listed : DEFAULT_TELEGRAM_ORIGINS;
}

/** Drop messages that come from the parent frame but not from one of `allowed` before the SDK
 * (or anyone) handles them. Events a Telegram client delivers through `Telegram.WebView
 * .receiveEvent` are dispatched by this page itself (origin ""), and pass. */
export function guardParentMessages(allowed: readonly string[]): () => void {
  const listener = (event: MessageEvent) => {
    if (window.parent === window || event.source !== window.parent) return;
    if (event.origin === "" || allowed.includes(event.origin)) return;
    event.stopImmediatePropagation();
  };
  window.addEventListener("message", listener, true);
  return () => window.removeEventListener("message", listener, true);
}

/** Where events for the parent frame go: its own origin when listed, else the first listed. */
export function parentTargetOrigin(allowed: readonly string[]): string {
  let parent = window.location.ancestorOrigins?.[0] ?? "";
  if (!parent && document.referrer) {
    try {
      parent = new URL(document.referrer).origin;
    } catch {
      parent = "";
    }
  }
  return allowed.includes(parent)
    ? parent
    : (allowed[0] ?? DEFAULT_TELEGRAM_ORIGINS[0] ?? "https://web.telegram.org");
}

// --- start ---------------------------------------------------------------------------------------

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The SDK's viewport keys → the CSS variables styles.css reads (`--tg-viewport-stable-height`,
 * `--tg-safe-area-inset-top`, `--tg-content-safe-area-inset-top`…). */
export function viewportCssVar(key: string): string {
  return /SafeArea|^safeArea/.test(key) ? `--tg-${kebab(key)}` : `--tg-viewport-${kebab(key)}`;
}

function applyScheme(root: HTMLElement = document.documentElement): void {
  let dark: boolean;
  try {
    dark = themeParams.isMounted() && themeParams.isDark();
  } catch {
    dark = false;
  }
  root.dataset.scheme = dark ? "dark" : "light";
}

/** Run an SDK call that must never break the app (a missing environment, a refused call). */
function quietly(call: () => unknown): void {
  try {
    const result = call();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // Telegram is optional for every caller: the app works without the call
  }
}

let started = false;

/** Set the SDK up once: theme and viewport CSS variables, ready, expand, no vertical swipes. */
export function initTelegram(launch: LaunchParams | null): void {
  applyScheme();
  if (!launch || started) return;
  started = true;
  const origins = telegramOrigins();
  guardParentMessages(origins);
  setTargetOrigin(parentTargetOrigin(origins));
  if (window.parent === window && !window.TelegramWebviewProxy) {
    // A plain browser (the dev login): Telegram links open in a new tab, the rest goes nowhere.
    mockTelegramEnv({
      onEvent: (event) => {
        if (event.name === "web_app_open_tg_link") {
          const { path_full } = event.params as { path_full: string };
          window.open(`https://t.me${path_full}`, "_blank", "noopener");
        }
      },
    });
  }
  try {
    init();
  } catch {
    return; // launch parameters the SDK refuses: the app still runs, without Telegram calls
  }
  quietly(() => {
    themeParams.mount();
    themeParams.bindCssVars();
    themeParams.isDark.sub(() => applyScheme());
    applyScheme();
  });
  quietly(() => miniApp.ready.ifAvailable());
  quietly(() => viewport.expand.ifAvailable());
  quietly(() => {
    swipeBehavior.mount.ifAvailable();
    swipeBehavior.disableVertical.ifAvailable();
  });
  quietly(() => backButton.mount.ifAvailable());
  quietly(() => closingBehavior.mount.ifAvailable());
  // Resolves once the client reports its viewport and safe areas (8.0+); the CSS falls back to
  // 100vh and no insets until then.
  quietly(() =>
    viewport.mount.isAvailable()
      ? viewport.mount().then(() => viewport.bindCssVars(viewportCssVar))
      : undefined,
  );
}

// --- events from Telegram ----------------------------------------------------------------------

/** Events the app listens to: `activated` (8.0, back from minimised) is missing from the SDK's
 * event map, but its bridge delivers every event by name. */
export type AppEvent = "activated" | "back_button_pressed";

export function onEvent(event: AppEvent, listener: () => void): () => void {
  return on(event as "back_button_pressed", listener);
}

// --- requests to Telegram ----------------------------------------------------------------------

export function setBackButton(visible: boolean): void {
  quietly(() => (visible ? backButton.show.ifAvailable() : backButton.hide.ifAvailable()));
}

/** Ask before closing (a paid game): skipped where the client lacks it. */
export function setClosingConfirmation(needed: boolean): void {
  quietly(() =>
    needed
      ? closingBehavior.enableConfirmation.ifAvailable()
      : closingBehavior.disableConfirmation.ifAvailable(),
  );
}

let lastHaptic = 0;
/** Light impact on taps, throttled so fast tapping does not flood the client. */
export function hapticTap(now: number = Date.now()): void {
  if (now - lastHaptic < 50) return;
  lastHaptic = now;
  quietly(() => hapticFeedback.impactOccurred.ifAvailable("light"));
}

export function hapticNotify(type: "success" | "error" | "warning"): void {
  quietly(() => hapticFeedback.notificationOccurred.ifAvailable(type));
}

export function closeApp(): void {
  quietly(() => miniApp.close.ifAvailable());
}

export type InvoiceStatus = "paid" | "cancelled" | "failed" | "pending";

/** Open a Stars invoice (`https://t.me/$slug` or `https://t.me/invoice/slug`); resolves with the
 * status Telegram reports when it closes, `failed` if it cannot be opened. */
export async function openInvoice(link: string): Promise<InvoiceStatus> {
  try {
    if (!invoice.openUrl.isAvailable()) return "failed";
    const status = await invoice.openUrl(link);
    return status === "paid" || status === "cancelled" || status === "pending" ? status : "failed";
  } catch {
    return "failed";
  }
}

/** A t.me link (a share sheet, the bot) inside Telegram; a new tab elsewhere. */
export function openTelegramLink(url: string): void {
  try {
    if (sdkOpenTelegramLink.ifAvailable(url).ok) return;
  } catch {
    // not a t.me link, or no Telegram to ask
  }
  window.open(url, "_blank", "noopener");
}
