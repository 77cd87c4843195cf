import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, getToken, refreshToken, type BonusEnvelope } from "../api";
import { ErrorNote, Loading } from "../components/Loading";
import { TimeLeft } from "../components/TimeLeft";
import { useBonusMutations } from "../hooks/useBonusMutations";
import { useRules } from "../hooks/useRules";
import { onMeEvent } from "../lib/events";
import { reportReconnect } from "../lib/reconnectTelemetry";
import { LiveSocket, wsUrl } from "../lib/socket";
import { TapBatcher } from "../lib/taps";
import type { BonusClientFrame, BonusServerFrame } from "../ws-frames";
import { hapticNotify, hapticTap } from "../telegram";
import { reportBlocked } from "../lib/blocked";
import { errorText } from "../lib/errors";
import { showNotice } from "../lib/notice";
import { CLOSE_FORBIDDEN, reportSocketError } from "../lib/socketErrors";
import { keys } from "../queryKeys";

export function Bonus() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const bonus = useQuery({ queryKey: keys.bonus(), queryFn: api.bonus });
  const rules = useRules();
  const run = bonus.data?.run ?? null;
  const [taps, setTaps] = useState<number | null>(null);
  const batcher = useRef<TapBatcher | null>(null);
  const active = run?.status === "active";

  useEffect(() => {
    if (!active) return;
    let socket: LiveSocket<BonusServerFrame, BonusClientFrame> | null = null;
    const tapper = new TapBatcher((count, timestamp) =>
      socket ? socket.send({ type: "taps", count, timestamp }) : false,
    );
    batcher.current = tapper;
    const done = () => {
      hapticNotify("success");
      const reward = queryClient.getQueryData<BonusEnvelope>(keys.bonus())?.run?.reward_stars;
      showNotice({
        key: "bonus.completed",
        tone: "info",
        values: { count: reward ?? 0 },
        testId: "bonus-completed",
      });
      void queryClient.invalidateQueries();
      navigate("/", { replace: true });
    };
    socket = new LiveSocket<BonusServerFrame, BonusClientFrame>({
      url: () => wsUrl("/ws/bonus/"),
      protocols: () => ["chancetap.v1", `bearer.${getToken() ?? ""}`],
      onReconnected: reportReconnect,
      onUnauthorized: refreshToken,
      onFrame: (frame) => {
        if (frame.type === "state") {
          tapper.reset(frame.run?.taps ?? 0);
          setTaps(tapper.count);
        } else if (frame.type === "progress") {
          tapper.ack(frame.taps);
          setTaps(tapper.count);
        } else if (frame.type === "completed") {
          done();
        } else if (frame.type === "error") {
          tapper.refused();
          setTaps(tapper.count);
          reportSocketError(frame.code);
        }
      },
      onStatus: (status, code) => {
        if (status === "closed" && code === CLOSE_FORBIDDEN) reportBlocked();
      },
    }).start();
    const off = onMeEvent((event) => {
      if (event.type === "bonus_completed") done();
    });
    return () => {
      off();
      tapper.flush(); // taps still waiting for their 200 ms packet go out before we leave
      tapper.stop();
      socket?.stop();
      batcher.current = null;
    };
  }, [active, navigate, queryClient]);

  const { start, cancel } = useBonusMutations();
  const busy = start.isPending || cancel.isPending;
  const failure = start.error ?? cancel.error;
  const act = (action: typeof start | typeof cancel, other: typeof start | typeof cancel) => {
    other.reset();
    action.mutate();
  };

  if (bonus.isPending || (!run && rules.isPending)) return <Loading />;
  const shown = taps ?? run?.taps ?? 0;
  const settings = rules.data?.bonus;
  // The run's own target (fixed when it started); before a run, the operator's current one.
  const target = run?.target_taps ?? settings?.target_taps ?? 0;
  return (
    <main className="screen room" data-testid="bonus">
      <h1>{t("bonus.title")}</h1>
      {settings && (
        <p className="hint" data-testid="bonus-rules">
          {t("bonus.rules", { count: target, hours: settings.duration_hours })}
        </p>
      )}
      {rules.isError && !run && <ErrorNote error={rules.error} />}
      {active && run ? (
        <>
          <div className="bonus-progress" data-testid="bonus-progress">
            <span className="meter meter--big">
              <span className="meter__fill" style={{ width: `${(100 * shown) / target}%` }} />
            </span>
            <span>
              {shown.toLocaleString()} / {target.toLocaleString()}
            </span>
          </div>
          <p className="room__timer" data-testid="bonus-timer">
            <TimeLeft until={run.expires_at} everyMs={1000} />
          </p>
          <button
            className="tap-button"
            data-testid="bonus-tap"
            onPointerDown={(event) => {
              event.preventDefault();
              if (batcher.current) setTaps(batcher.current.tap());
              hapticTap();
            }}
          >
            <span className="tap-button__label">{t("game.tap")}</span>
          </button>
          <p className="hint">{t("bonus.reward", { count: run.reward_stars })}</p>
          <button
            className="button button--ghost"
            disabled={busy}
            data-testid="bonus-cancel"
            onClick={() => act(cancel, start)}
          >
            {t("bonus.cancel")}
          </button>
        </>
      ) : (
        <>
          <div className="bonus-progress">
            <span className="meter meter--big">
              <span className="meter__fill" style={{ width: "0%" }} />
            </span>
            <span>0 / {target.toLocaleString()}</span>
          </div>
          {settings && (
            <p className="hint" data-testid="bonus-reward">
              {t("bonus.reward", { count: settings.reward_stars })}
            </p>
          )}
          <button
            className="button button--wide"
            disabled={busy}
            data-testid="bonus-start"
            onClick={() => act(start, cancel)}
          >
            {t("bonus.start")}
          </button>
        </>
      )}
      {failure && <p className="error-note">{errorText(failure, t)}</p>}
    </main>
  );
}
