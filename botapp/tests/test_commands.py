"""``/help``, ``/balance``, ``/paysupport`` and ``/terms`` through ``manage.py runbot`` polling the
fake Bot API, in both languages; plus the referral's first-donation and support-refund
notifications written by the payment paths they come from."""

from __future__ import annotations

import pytest

from accounts.models import Notification
from botapp.tests.test_start import sent_to
from botapp.tests.updates import command_update, tg_user_dict
from payments.models import Payment
from payments.services import star_payment_apply
from payments.tests.test_charges import charge_fields, long_charge_id
from rooms.models import RoomSettings

pytestmark = pytest.mark.django_db(transaction=True)


def ask(api, user, command: str, lang: str) -> str:
    api.inject_update(command_update(tg_user_dict(user.tg_id, language_code=lang), command))
    return sent_to(api, user.tg_id)["text"]


def test_the_commands_answer_in_both_languages(bot_process, fake_bot_api, make_user) -> None:
    """One bot process for all of them (starting runbot costs seconds)."""
    assert "tap faster than the others" in ask(fake_bot_api, make_user(), "/help", "en")
    assert "тапайте быстрее других" in ask(fake_bot_api, make_user(), "/help", "ru")
    settings_row = RoomSettings.get_solo()
    settings_row.house_share_bp = 250
    settings_row.save()
    terms = ask(fake_bot_api, make_user(), "/terms", "en")
    assert "Rules and terms" in terms
    assert "now 2.5 %" in terms
    assert "gets 10 %" in terms
    terms = ask(fake_bot_api, make_user(), "/terms", "ru")
    assert "Правила и условия" in terms
    assert "сейчас 2.5 %" in terms

    en, ru = make_user(), make_user()
    for user, stars in ((en, 40), (ru, 7)):
        payment = Payment.objects.create(user=user, purpose="topup", stars=stars)
        star_payment_apply(**charge_fields(payment, long_charge_id()))
    assert "Your balance: <b>40 ⭐</b>" in ask(fake_bot_api, en, "/balance", "en")
    assert "Ваш баланс: <b>7 ⭐</b>" in ask(fake_bot_api, ru, "/balance", "ru")
    blocked = make_user(is_blocked=True)
    assert "Your account is blocked" in ask(fake_bot_api, blocked, "/balance", "en")

    donor, newcomer = make_user(), make_user()
    payment = Payment.objects.create(user=donor, purpose="donation", stars=25)
    charge = long_charge_id()
    star_payment_apply(**charge_fields(payment, charge))
    text = ask(fake_bot_api, donor, "/paysupport", "ru")
    assert "Поддержка по оплатам" in text
    assert "@ChanceTapSupport" in text
    assert f"25 ⭐, донат\n  <code>{charge}</code>" in text
    assert "We have no Stars payments from you yet." in ask(
        fake_bot_api, newcomer, "/paysupport", "en"
    )


def test_a_referrals_first_donation_is_told_to_the_referrer_once(make_user) -> None:
    referrer = make_user()
    friend = make_user(referrer=referrer, first_name="Anna")
    for stars in (10, 20):
        payment = Payment.objects.create(user=friend, purpose="donation", stars=stars)
        star_payment_apply(**charge_fields(payment, long_charge_id()))
    [note] = Notification.objects.filter(user=referrer)
    assert (note.kind, note.params) == ("referral_donation", {"friend": "Anna", "stars": 10})
    topup = Payment.objects.create(user=make_user(referrer=referrer), purpose="topup", stars=5)
    star_payment_apply(**charge_fields(topup, long_charge_id()))
    assert Notification.objects.filter(user=referrer).count() == 1  # top-ups are not donations
