import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { HashRouter, useNavigate } from "react-router";
import { ApiError, login, setReauthenticate, type Profile } from "./api";
import { NoticeToast } from "./components/NoticeToast";
import { onBlocked } from "./lib/blocked";
import { claimLaunch, heroKeyFromStartParam, type HeroInviteState } from "./lib/launchIntent";
import { LoginError } from "./screens/LoginError";
import { OutsideTelegram } from "./screens/OutsideTelegram";
import { Shell } from "./Shell";
import type { LaunchParams } from "./telegram";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: 1, staleTime: 5_000, refetchOnWindowFocus: false },
  },
});

type State =
  { kind: "loading" } | { kind: "ready"; profile: Profile } | { kind: "error"; error: ApiError };

/** Act on the launch's ``start_param`` once (``hero_<KEY>``: to the join form). */
function LaunchIntent({ launch }: { launch: LaunchParams }) {
  const navigate = useNavigate();
  useEffect(() => {
    const heroKey = heroKeyFromStartParam(launch.startParam);
    if (!heroKey || !claimLaunch(launch.initData)) return;
    const state: HeroInviteState = { heroKey };
    navigate("/create", { state });
  }, [launch, navigate]);
  return null;
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, "unexpected", String(error));
}

export function App({ launch }: { launch: LaunchParams | null }) {
  const { t } = useTranslation();
  const [state, setState] = useState<State>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!launch) return;
    let cancelled = false;
    setReauthenticate(() => login(launch.initData));
    login(launch.initData).then(
      (result) => {
        if (!cancelled) setState({ kind: "ready", profile: result.user });
      },
      (error: unknown) => {
        if (!cancelled) setState({ kind: "error", error: toApiError(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [launch, attempt]);

  // Blocked while playing (a room socket said so): the app shows the blocked screen.
  useEffect(
    () =>
      onBlocked(() =>
        setState({
          kind: "error",
          error: new ApiError(403, "user_blocked", "Your account is blocked."),
        }),
      ),
    [],
  );

  if (!launch) return <OutsideTelegram />;
  if (state.kind === "loading") {
    return (
      <main className="screen screen--center" aria-busy="true">
        <div className="spinner" />
        <p className="hint">{t("loading")}</p>
      </main>
    );
  }
  if (state.kind === "error") {
    return (
      <LoginError
        error={state.error}
        onRetry={() => {
          setState({ kind: "loading" });
          setAttempt((n) => n + 1);
        }}
      />
    );
  }
  return (
    <QueryClientProvider client={queryClient}>
      <HashRouter>
        <Shell />
        <LaunchIntent launch={launch} />
        <NoticeToast />
      </HashRouter>
    </QueryClientProvider>
  );
}
