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

export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
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

export function getMe(): Promise<Profile> {
  return request<Profile>("/api/v1/me");
}
