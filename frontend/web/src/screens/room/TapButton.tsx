import { memo } from "react";

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
      <span className="tap-button__label">TAP</span>
      <span className="tap-button__count" data-testid="my-taps">
        {taps}
      </span>
    </button>
  );
});
