/** The Chance Tap REST client: login with initData, then a JWT on every call. */

import type { components } from "./api-schema";
import { reportBlocked } from "./lib/blocked";

/* Response types, generated from the server's committed OpenAPI schema (docs/openapi.yaml →
 * src/api-schema.ts with `npm run api-types`); none is written by hand. */
type Schemas = components["schemas"];

export type Me = Schemas["Profile"];
/** What the login answer and /me return: the whole profile. */
export type Profile = Me;
export type Stats = Schemas["UserStats"];
export type TonWallet = Schemas["TonWallet"];
export type BonusRun = Schemas["BonusRun"];
export type Tier = Schemas["TierListOutput"];
export type Player = Schemas["RoomPlayer"];
export type Room = Schemas["Room"];
export type Phase = Room["phase"];
export type Payment = Schemas["Payment"];
export type InvoiceRequest = Schemas["InvoiceCreateInput"];
export type Preset = Schemas["DonationPreset"];
export type Presets = Schemas["PresetListOutput"];
export type DonationPreview = Schemas["DonationPreviewOutput"];
export type DonationRow = Schemas["DonationRow"];
export type DonationBoard = Schemas["DonationLeaderboardOutput"];
export type GameRow = Schemas["GameRow"];
export type GameBoard = Schemas["GameLeaderboardOutput"];
export type Referrals = Schemas["ReferralsOutput"];
export type TonTopup = Schemas["TonTopup"];
export type LoginResponse = Schemas["TelegramLoginOutput"];
export type CurrentRoom = Schemas["RoomCurrentOutput"];
export type BonusEnvelope = Schemas["BonusRunEnvelope"];
export type TonProofPayload = Schemas["TonProofPayloadOutput"];
export type HistoryPage = Schemas["RoomHistoryOutput"];
export type HistoryItem = Schemas["RoomHistoryItem"];
export type HistoryResult = Schemas["RoomHistoryResultEnum"];
export type LedgerPage = Schemas["LedgerListOutput"];
export type LedgerEntry = Schemas["LedgerEntry"];
export type ChargesPage = Schemas["StarChargeListOutput"];
export type StarCharge = Schemas["StarCharge"];
export type LedgerKind = Schemas["LedgerEntryKindEnum"];
export type MeSettings = Schemas["PatchedMeSettingsInput"];
export type GameRules = Schemas["RulesOutput"];

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const TOKEN_KEY = "chancetap.token";
let token: string | null = null;

export function setToken(value: string | null): void {
  token = value;
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: keep the token in memory only
  }
}

export function getToken(): string | null {
  if (token) return token;
  try {
    token = sessionStorage.getItem(TOKEN_KEY);
  } catch {
    token = null;
  }
  return token;
}

let reauthenticate: (() => Promise<unknown>) | null = null;
let reauthenticating: Promise<boolean> | null = null;

/** How to get a fresh JWT when the current one expired (login again with initData). */
export function setReauthenticate(fn: (() => Promise<unknown>) | null): void {
  reauthenticate = fn;
}

/** One re-login at a time, shared by every caller that met a 401 (REST and sockets). */
export function refreshToken(): Promise<boolean> {
  if (!reauthenticate) return Promise.resolve(false);
  reauthenticating ??= reauthenticate().then(
    () => true,
    () => false,
  );
  const pending = reauthenticating;
  void pending.finally(() => {
    if (reauthenticating === pending) reauthenticating = null;
  });
  return pending;
}

export async function request<T>(
  path: string,
  init: RequestInit = {},
  retried = false,
): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "application/json");
  if (init.body !== undefined) headers.set("Content-Type", "application/json");
  const current = getToken();
  if (current && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${current}`);
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, "network_error", "No connection to the server.");
  }
  const text = await response.text();
  const body: unknown = text ? safeJson(text) : null;
  if (response.status === 401 && !retried && current && (await refreshToken())) {
    return request<T>(path, init, true);
  }
  if (!response.ok) {
    const error = (body ?? {}) as { code?: string; message?: string; details?: unknown };
    // Blocked since the app opened: whatever screen asked, the app shows the blocked one.
    if (error.code === "user_blocked") reportBlocked();
    throw new ApiError(
      response.status,
      error.code ?? "http_error",
      error.message ?? response.statusText,
      error.details,
    );
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function login(initData: string): Promise<LoginResponse> {
  setToken(null);
  const result = await request<LoginResponse>("/api/v1/auth/telegram", {
    method: "POST",
    body: JSON.stringify({ init_data: initData }),
  });
  setToken(result.token);
  return result;
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function post<T>(path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  return request<T>(path, {
    method: "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export const api = {
  me: () => request<Me>("/api/v1/me"),
  updateSettings: (body: MeSettings) =>
    request<Me>("/api/v1/me", { method: "PATCH", body: JSON.stringify(body) }),
  tiers: () => request<Tier[]>("/api/v1/rooms/tiers"),
  joinTier: (tierId: number, key: string) =>
    post<Room>(`/api/v1/rooms/tiers/${tierId}/join`, undefined, key),
  heroCreate: (fee: number, key: string) => post<Room>("/api/v1/rooms/hero", { fee }, key),
  heroJoin: (roomKey: string, key: string) =>
    post<Room>("/api/v1/rooms/hero/join", { key: roomKey }, key),
  currentRoom: () => request<CurrentRoom>("/api/v1/rooms/current"),
  room: (id: number) => request<Room>(`/api/v1/rooms/${id}`),
  leaveRoom: (id: number) => post<Room>(`/api/v1/rooms/${id}/leave`),
  startRoom: (id: number) => post<Room>(`/api/v1/rooms/${id}/start`),
  rules: () => request<GameRules>("/api/v1/rules"),
  bonus: () => request<BonusEnvelope>("/api/v1/bonus"),
  bonusStart: () => post<BonusEnvelope>("/api/v1/bonus/start"),
  bonusCancel: () => post<BonusEnvelope>("/api/v1/bonus/cancel"),
  presets: () => request<Presets>("/api/v1/payments/presets"),
  /** The weekly rank a custom donation of ``stars`` would give (400 amount_out_of_range). */
  donationPreview: (stars: number) =>
    request<DonationPreview>(`/api/v1/payments/presets/preview?stars=${stars}`),
  invoice: (body: InvoiceRequest, key: string) =>
    post<Payment>("/api/v1/payments/invoices", body, key),
  payment: (id: string) => request<Payment>(`/api/v1/payments/${id}`),
  pendingPayments: () => request<Payment[]>("/api/v1/payments/pending"),
  cancelPayment: (id: string) => post<Payment>(`/api/v1/payments/${id}/cancel`),
  /** Debug builds only (404 otherwise): a top-up paid through the server's own bot webhook. */
  devTopup: (stars: number, key: string) =>
    post<Payment>("/api/v1/payments/dev/topups", { stars }, key),
  tonTopup: (stars: number, key: string) =>
    post<TonTopup>("/api/v1/payments/ton/topups", { stars }, key),
  tonTopupCheck: (id: string) => post<TonTopup>(`/api/v1/payments/ton/topups/${id}/check`),
  tonPayload: () => post<TonProofPayload>("/api/v1/wallets/ton/payload"),
  tonVerify: (body: unknown) => post<TonWallet>("/api/v1/wallets/ton/verify", body),
  tonUnlink: () => request<null>("/api/v1/wallets/ton", { method: "DELETE" }),
  /** ``weekKey`` (``2026-W03``) picks a past week of the ``week`` board; none: this week. */
  donations: (board: string, offset = 0, limit = 50, weekKey?: string | null) =>
    request<DonationBoard>(
      `/api/v1/leaderboards/donations/${board}?limit=${limit}&offset=${offset}` +
        (weekKey ? `&week_key=${encodeURIComponent(weekKey)}` : ""),
    ),
  games: (period: string) => request<GameBoard>(`/api/v1/leaderboards/games/${period}`),
  referrals: () => request<Referrals>("/api/v1/referrals"),
  history: (offset = 0, limit = 20) =>
    request<HistoryPage>(`/api/v1/rooms/history?limit=${limit}&offset=${offset}`),
  ledger: (offset = 0, limit = 20) =>
    request<LedgerPage>(`/api/v1/payments/ledger?limit=${limit}&offset=${offset}`),
  charges: (offset = 0, limit = 20) =>
    request<ChargesPage>(`/api/v1/payments/charges?limit=${limit}&offset=${offset}`),
  telemetryReconnect: (durationMs: number) =>
    post<unknown>("/api/v1/telemetry/ws-reconnect", { duration_ms: Math.round(durationMs) }),
};
