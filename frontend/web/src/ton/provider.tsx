import { THEME, TonConnectUIProvider } from "@tonconnect/ui-react";
import type { ReactNode } from "react";
import i18n from "../i18n";

/** TON Connect (loaded only when the player links a wallet or pays in TON). */
export function TonProvider({ children }: { children: ReactNode }) {
  const dark = document.documentElement.dataset.scheme === "dark";
  return (
    <TonConnectUIProvider
      manifestUrl={`${window.location.origin}/tonconnect-manifest.json`}
      language={i18n.language === "ru" ? "ru" : "en"}
      uiPreferences={{ theme: dark ? THEME.DARK : THEME.LIGHT }}
      actionsConfiguration={{ twaReturnUrl: twaReturnUrl() }}
    >
      {children}
    </TonConnectUIProvider>
  );
}

function twaReturnUrl(): `${string}://${string}` {
  const meta = document.querySelector('meta[name="chancetap-app-link"]')?.getAttribute("content");
  return (meta || "https://t.me") as `${string}://${string}`;
}
