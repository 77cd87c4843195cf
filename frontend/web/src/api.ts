/** The Chance Tap REST client: login with initData, then a JWT on every call. */

export interface Profile {
  tg_id: number;
  username: string;
  first_name: string;
  last_name: string;
  display_name: string;
  photo_url: string;
  language_code: string;
  balance?: number;
}

export interface Stats {
  games_played: number;
  wins: number;
  stars_won: number;
  tons_all_time: string;
  tons_week: string;
  week_key: string;
}

export interface TonWallet {
  address: string;
  raw_address: string;
  wallet_version: string;
  network: string;
  linked_at: string;
}

export interface BonusRun {
  id: number;
  status: string;
  taps: number;
  target_taps: number;
  reward_stars: number;
  started_at: string;
  expires_at: string;
}

export interface Me extends Profile {
  balance: number;
  /** Stars owed from a refunded payment whose Stars were spent; credits settle it first. */
  debt?: number;
  ton_wallet: TonWallet | null;
  has_ton_wallet: boolean;
  stats: Stats;
  referral: { code: string; link: string; referrals_count: number; referrals_tons: string };
  bonus_run: BonusRun | null;
  /** Debug builds: the top-up sheet may finish a payment without Telegram. */
  dev_payments?: boolean;
}

export interface Tier {
  id: number;
  stars: number;
  waiting: number;
  max_players: number;
}

export interface Player {
  tg_id: number;
  seat: number;
  first_name: string;
  username: string;
  photo_url: string;
  taps: number;
  cheater: boolean;
}

export type Phase = "gathering" | "countdown" | "playing" | "finished" | "cancelled";

export interface Room {
  id: number;
  kind: "standard" | "hero";
  phase: Phase;
  fee: number;
  tier_id: number | null;
  key: string | null;
  organizer_id: number | null;
  seated: number;
  max_players: number;
  pool: number;
  deadline_at: string;
  countdown_at: string | null;
  started_at: string | null;
  ends_at: string | null;
  winner_id: number | null;
  prize: number;
  players: Player[];
}

export interface Payment {
  id: string;
  purpose: "topup" | "donation";
  stars: number;
  status: string;
  invoice_link: string;
  preset_id: number | null;
  tons: string | null;
  created_at: string;
  paid_at: string | null;
}

export interface Preset {
  id: number;
  place: number;
  title: string;
  stars: number;
  tons: string;
  weekly_rank_after: number;
}

export interface Presets {
  presets: Preset[];
  custom: { min_stars: number; max_stars: number };
  rate: string;
  week_key: string;
}

export interface DonationRow {
  rank: number;
  tg_id: number;
  username: string;
  first_name: string;
  photo_url: string;
  tons: string;
  referrals_count?: number;
}

export interface DonationBoard {
  board: string;
  items: DonationRow[];
  has_more: boolean;
  me: { rank: number | null; tons: string };
}

export interface GameRow {
  rank: number;
  tg_id: number;
  username: string;
  first_name: string;
  photo_url: string;
  stars_won: number;
  wins: number;
}

export interface GameBoard {
  period: string;
  items: GameRow[];
  me: { stars_won: number; wins: number };
}

export interface Referrals {
  code: string;
  link: string;
  share_text: string;
  share_url: string;
  referrals: {
    items: { tg_id: number; username: string; first_name: string; photo_url: string }[];
    has_more: boolean;
    total: number;
  };
}

export interface TonTopup {
  id: string;
  stars: number;
  status: string;
  address: string;
  amount_nano: string;
  comment: string;
  payload: string;
  expires_at: string;
  paid_at: string | null;
}

export interface LoginResponse {
  token: string;
  expires_in: number;
  user: Profile;
}

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
  tiers: () => request<Tier[]>("/api/v1/rooms/tiers"),
  joinTier: (tierId: number, key: string) =>
    post<Room>(`/api/v1/rooms/tiers/${tierId}/join`, undefined, key),
  heroCreate: (fee: number, key: string) => post<Room>("/api/v1/rooms/hero", { fee }, key),
  heroJoin: (roomKey: string, key: string) =>
    post<Room>("/api/v1/rooms/hero/join", { key: roomKey }, key),
  currentRoom: () => request<{ room: Room | null }>("/api/v1/rooms/current"),
  room: (id: number) => request<Room>(`/api/v1/rooms/${id}`),
  leaveRoom: (id: number) => post<Room>(`/api/v1/rooms/${id}/leave`),
  startRoom: (id: number) => post<Room>(`/api/v1/rooms/${id}/start`),
  bonus: () => request<{ run: BonusRun | null }>("/api/v1/bonus"),
  bonusStart: () => post<{ run: BonusRun }>("/api/v1/bonus/start"),
  bonusCancel: () => post<{ run: BonusRun }>("/api/v1/bonus/cancel"),
  presets: () => request<Presets>("/api/v1/payments/presets"),
  invoice: (
    body: { purpose: "topup" | "donation"; stars?: number; preset_id?: number },
    key: string,
  ) => post<Payment>("/api/v1/payments/invoices", body, key),
  payment: (id: string) => request<Payment>(`/api/v1/payments/${id}`),
  pendingPayments: () => request<Payment[]>("/api/v1/payments/pending"),
  cancelPayment: (id: string) => post<Payment>(`/api/v1/payments/${id}/cancel`),
  /** Debug builds only (404 otherwise): a top-up paid through the server's own bot webhook. */
  devTopup: (stars: number, key: string) =>
    post<Payment>("/api/v1/payments/dev/topups", { stars }, key),
  tonTopup: (stars: number, key: string) =>
    post<TonTopup>("/api/v1/payments/ton/topups", { stars }, key),
  tonTopupCheck: (id: string) => post<TonTopup>(`/api/v1/payments/ton/topups/${id}/check`),
  tonPayload: () => post<{ payload: string; expires_at: string }>("/api/v1/wallets/ton/payload"),
  tonVerify: (body: unknown) => post<TonWallet>("/api/v1/wallets/ton/verify", body),
  tonUnlink: () => request<null>("/api/v1/wallets/ton", { method: "DELETE" }),
  donations: (board: string, offset = 0, limit = 50) =>
    request<DonationBoard>(
      `/api/v1/leaderboards/donations/${board}?limit=${limit}&offset=${offset}`,
    ),
  games: (period: string) => request<GameBoard>(`/api/v1/leaderboards/games/${period}`),
  referrals: () => request<Referrals>("/api/v1/referrals"),
  telemetryReconnect: (durationMs: number) =>
    post<unknown>("/api/v1/telemetry/ws-reconnect", { duration_ms: Math.round(durationMs) }),
};
