import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, ApiError, newIdempotencyKey } from "../api";
import { usePayments } from "../payments/PaymentsProvider";
import { errorText } from "../lib/errors";
import { keys } from "../queryKeys";

export function Create() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { askTopUp } = usePayments();
  const [fee, setFee] = useState("50");
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One idempotency key per intent: a double tap replays instead of creating twice.
  const createKey = useRef(newIdempotencyKey());

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const value = Number(fee);
    if (!Number.isInteger(value) || value < 1) {
      setError(t("hero.feeInvalid"));
      return;
    }
    setBusy(true);
    try {
      const room = await api.heroCreate(value, createKey.current);
      createKey.current = newIdempotencyKey();
      navigate(`/room/${room.id}`);
    } catch (err) {
      createKey.current = newIdempotencyKey();
      if (err instanceof ApiError && err.code === "hero_room_exists") {
        const current = await api.currentRoom().catch(() => null);
        if (current?.room) {
          navigate(`/room/${current.room.id}`);
          return;
        }
      }
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const joinByKey = async (event?: FormEvent) => {
    event?.preventDefault();
    setError(null);
    const normalized = key.trim().toUpperCase();
    if (normalized.length < 4) {
      setError(t("hero.keyInvalid"));
      return;
    }
    setBusy(true);
    try {
      const room = await api.heroJoin(normalized, newIdempotencyKey());
      void queryClient.invalidateQueries({ queryKey: keys.me() });
      navigate(`/room/${room.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === "insufficient_balance") {
        const details = err.details as { shortfall?: number } | undefined;
        askTopUp(details?.shortfall ?? 1, () => void joinByKey());
      } else if (err instanceof ApiError && err.code === "already_in_room") {
        const details = err.details as { room_id?: number } | undefined;
        if (details?.room_id) navigate(`/room/${details.room_id}`);
      } else {
        setError(errorText(err, t));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="screen" data-testid="create">
      <h1>{t("hero.title")}</h1>
      <form className="card form" onSubmit={create}>
        <h2>{t("hero.createTitle")}</h2>
        <p className="hint">{t("hero.createText")}</p>
        <label>
          {t("hero.fee")}
          <input
            type="number"
            inputMode="numeric"
            min={1}
            value={fee}
            onChange={(event) => setFee(event.target.value)}
            data-testid="hero-fee"
          />
        </label>
        <button className="button button--wide" disabled={busy} data-testid="hero-create">
          {t("hero.create")}
        </button>
      </form>
      <form className="card form" onSubmit={joinByKey}>
        <h2>{t("hero.joinTitle")}</h2>
        <label>
          {t("hero.key")}
          <input
            value={key}
            autoCapitalize="characters"
            maxLength={12}
            onChange={(event) => setKey(event.target.value)}
            data-testid="hero-key-input"
          />
        </label>
        <button className="button button--wide" disabled={busy} data-testid="hero-join">
          {t("hero.join")}
        </button>
      </form>
      {error && (
        <p className="error-note" role="alert" data-testid="create-error">
          {error}
        </p>
      )}
    </main>
  );
}
