import { useTranslation } from "react-i18next";
import type { Me } from "../api";
import { usePayments } from "../payments/PaymentsProvider";
import { Avatar } from "./Avatar";

export function displayName(user: { first_name?: string; username?: string; tg_id: number }) {
  return user.first_name || user.username || String(user.tg_id);
}

export function Header({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { askTopUp } = usePayments();
  const name = me.display_name || displayName(me);
  return (
    <header className="header">
      <h1 className="header__title">{t("app.title")}</h1>
      <div className="header__row">
        <div className="header__user">
          <Avatar name={name} photoUrl={me.photo_url} size={40} />
          <div className="header__name" data-testid="user-name">
            {name}
          </div>
        </div>
        <button
          className="balance-pill"
          data-testid="user-balance"
          onClick={() => askTopUp(null)}
          aria-label={t("home.topUp")}
        >
          ⭐ <span data-testid="balance-value">{me.balance}</span> <span aria-hidden>+</span>
        </button>
      </div>
    </header>
  );
}
