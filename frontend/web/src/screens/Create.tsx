import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import { useHeroRoom } from "../hooks/useRoomMutations";
import { heroKeyFromStartParam, type HeroInviteState } from "../lib/launchIntent";

/** The key a hero room's link brought (``navigate("/create", {state: {heroKey}})``), checked. */
function invitedKey(state: unknown): string | null {
  const heroKey = (state as Partial<HeroInviteState> | null)?.heroKey;
  return typeof heroKey === "string" ? heroKeyFromStartParam(`hero_${heroKey}`) : null;
}

export function Create() {
  const { t } = useTranslation();
  const hero = useHeroRoom();
  const [fee, setFee] = useState("50");
  const location = useLocation();
  const navigate = useNavigate();
  // Invited by a hero room's link: the key is filled in and "Join" waits for the player's tap
  // (joining charges the fee, so it is never automatic).
  const [invited] = useState(() => invitedKey(location.state));
  const [key, setKey] = useState(invited ?? "");
  const [invalid, setInvalid] = useState<string | null>(null);
  const joinButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!invited) return;
    joinButton.current?.focus();
    joinButton.current?.scrollIntoView?.({ block: "center" });
    // The invitation is used up: going back to this entry later does not repeat it.
    navigate(".", { replace: true, state: null });
  }, [invited, navigate]);

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
      <form
        className={`card form${invited ? " form--invited" : ""}`}
        onSubmit={joinByKey}
        data-testid="hero-join-form"
      >
        <h2>{t("hero.joinTitle")}</h2>
        {invited && (
          <p className="room__note" role="status" data-testid="hero-invite-note">
            {t("hero.invited")}
          </p>
        )}
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
        <button
          ref={joinButton}
          className={`button button--wide${invited ? " button--invited" : ""}`}
          disabled={busy}
          data-testid="hero-join"
        >
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
