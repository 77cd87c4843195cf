import { memo } from "react";
import { useTranslation } from "react-i18next";

/** The big TAP button with the player's count. Memoised: a progress frame about other players or
 * a clock tick does not redraw it; only the player's own count or the lock does. */
export const TapButton = memo(function TapButton({
  taps,
  locked,
  onTap,
}: {
  taps: number;
  locked: boolean;
  onTap: () => void;
}) {
  const { t } = useTranslation();
  return (
    <button
      className="tap-button"
      onPointerDown={(event) => {
        event.preventDefault();
        onTap();
      }}
      onKeyDown={(event) => {
        if (event.key === " " || event.key === "Enter") onTap();
      }}
      data-testid="tap-button"
      disabled={locked}
    >
      <span className="tap-button__label">{t("game.tap")}</span>
      <span className="tap-button__count" data-testid="my-taps">
        {taps}
      </span>
    </button>
  );
});
