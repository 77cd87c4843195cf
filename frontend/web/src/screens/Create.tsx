import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useHeroRoom } from "../hooks/useRoomMutations";

export function Create() {
  const { t } = useTranslation();
  const hero = useHeroRoom();
  const [fee, setFee] = useState("50");
  const [key, setKey] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);

  const create = (event: FormEvent) => {
    event.preventDefault();
    hero.reset();
    const value = Number(fee);
    if (!Number.isInteger(value) || value < 1) {
      setInvalid(t("hero.feeInvalid"));
      return;
    }
    setInvalid(null);
    hero.createRoom(value);
  };

  const joinByKey = (event: FormEvent) => {
    event.preventDefault();
    hero.reset();
    const normalized = key.trim().toUpperCase();
    if (normalized.length < 4) {
      setInvalid(t("hero.keyInvalid"));
      return;
    }
    setInvalid(null);
    hero.joinRoom(normalized);
  };

  const error = invalid ?? hero.error;
  const busy = hero.pending;

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
