import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { initI18n } from "./i18n";
import "./styles.css";
import { initTelegram, readLaunchParams } from "./telegram";

const launch = readLaunchParams();
// Launch parameters are saved; the hash now belongs to the router.
if (window.location.hash.includes("tgWebAppData=")) {
  window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}#/`);
}
initTelegram(launch);
initI18n(launch?.userUnsafe?.language_code);

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App launch={launch} />
    </StrictMode>,
  );
}
