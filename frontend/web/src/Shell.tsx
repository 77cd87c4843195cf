import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Route, Routes, useLocation, useNavigate } from "react-router";
import { api, getToken, refreshToken } from "./api";
import { reportBlocked } from "./lib/blocked";
import { emitMeEvent } from "./lib/events";
import { inPaidGame, onPaidGameChange } from "./lib/guard";
import { reportReconnect } from "./lib/reconnectTelemetry";
import { LiveSocket, wsUrl } from "./lib/socket";
import { CLOSE_FORBIDDEN, reportSocketError } from "./lib/socketErrors";
import type { MeClientFrame, MeServerFrame } from "./ws-frames";
import { PaymentsProvider } from "./payments/PaymentsProvider";
import { Bonus } from "./screens/Bonus";
import { Create } from "./screens/Create";
import { Home } from "./screens/Home";
import { Leaderboards } from "./screens/Leaderboards";
import { Profile } from "./screens/Profile";
import { RoomScreen } from "./screens/Room";
import { onEvent, setBackButton } from "./telegram";
import { keys } from "./queryKeys";
import { Loading } from "./components/Loading";

// Screens a player opens now and then: chunks of their own, loaded on the way there.
const History = lazy(() => import("./screens/History"));
const Terms = lazy(() => import("./screens/Terms"));

const TABS = ["/", "/leaderboard", "/profile", "/create"];

/** ws/me/: balance credits and other personal events, reconnecting in the background. */
function useMeSocket() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const socket = new LiveSocket<MeServerFrame, MeClientFrame>({
      url: () => wsUrl("/ws/me/"),
      protocols: () => ["chancetap.v1", `bearer.${getToken() ?? ""}`],
      onFrame: (frame) => {
        if (frame.type === "hello") {
          void queryClient.invalidateQueries({ queryKey: keys.me() });
          return;
        }
        if (frame.type === "error") reportSocketError(frame.code);
        else if (frame.type !== "pong") emitMeEvent(frame);
      },
      onStatus: (status, code) => {
        if (status === "closed" && code === CLOSE_FORBIDDEN) reportBlocked();
      },
      onReconnected: reportReconnect,
      onUnauthorized: refreshToken,
    }).start();
    const off = onEvent("activated", () => socket.nudge());
    return () => {
      off();
      socket.stop();
    };
  }, [queryClient]);
}

/** Telegram's BackButton on every screen but Home; hidden during a paid game. */
function useBackButton() {
  const location = useLocation();
  const navigate = useNavigate();
  const [locked, setLocked] = useState(inPaidGame());
  useEffect(() => onPaidGameChange(() => setLocked(inPaidGame())), []);
  const visible = location.pathname !== "/" && !locked;
  useEffect(() => {
    setBackButton(visible);
  }, [visible]);
  useEffect(
    () =>
      onEvent("back_button_pressed", () => {
        if (inPaidGame()) return;
        const nested = !TABS.includes(location.pathname);
        if (nested && window.history.length > 1 && location.key !== "default") navigate(-1);
        else navigate("/", { replace: true });
      }),
    [location, navigate],
  );
}

/** After a reload (or reopening the app) go back to the room the player is in. */
function useRestoreRoom() {
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const checked = useRef(false);
  useEffect(() => {
    if (checked.current) return;
    checked.current = true;
    if (location.pathname.startsWith("/room/")) return;
    queryClient.fetchQuery({ queryKey: keys.currentRoom(), queryFn: api.currentRoom }).then(
      ({ room }) => {
        if (room) navigate(`/room/${room.id}`);
      },
      () => undefined,
    );
  }, [location.pathname, navigate, queryClient]);
}

function BottomNav() {
  const { t } = useTranslation();
  const items = [
    { to: "/", icon: "🏠", label: t("nav.home"), id: "home" },
    { to: "/leaderboard", icon: "🏆", label: t("nav.leaderboard"), id: "leaderboard" },
    { to: "/profile", icon: "👤", label: t("nav.profile"), id: "profile" },
    { to: "/create", icon: "➕", label: t("nav.create"), id: "create" },
  ];
  return (
    <nav className="bottom-nav" data-testid="bottom-nav">
      {items.map((item) => (
        <NavLink
          key={item.to}
          to={item.to}
          end
          className={({ isActive }) => `bottom-nav__item${isActive ? " is-active" : ""}`}
          data-testid={`nav-${item.id}`}
        >
          <span aria-hidden="true">{item.icon}</span>
          <span>{item.label}</span>
        </NavLink>
      ))}
    </nav>
  );
}

export function Shell() {
  const location = useLocation();
  useMeSocket();
  useBackButton();
  useRestoreRoom();
  const showNav = TABS.includes(location.pathname);
  return (
    <PaymentsProvider>
      <div className={`app${showNav ? " app--with-nav" : ""}`}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/leaderboard" element={<Leaderboards />} />
          <Route path="/profile" element={<Profile />} />
          <Route path="/create" element={<Create />} />
          <Route path="/room/:roomId" element={<RoomScreen />} />
          <Route path="/bonus" element={<Bonus />} />
          <Route
            path="/history"
            element={
              <Suspense fallback={<Loading />}>
                <History />
              </Suspense>
            }
          />
          <Route
            path="/terms"
            element={
              <Suspense fallback={<Loading />}>
                <Terms />
              </Suspense>
            }
          />
          <Route path="*" element={<Home />} />
        </Routes>
      </div>
      {showNav && <BottomNav />}
    </PaymentsProvider>
  );
}
