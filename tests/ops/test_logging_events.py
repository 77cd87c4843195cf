"""Payments, rate errors and referral attaches are always logged, as JSON lines with the fields
promtail reads (ts, level, logger, event, request_id inside a request)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from chancetap.observability.logging import JsonFormatter
from payments.models import Payment, RateSettings
from payments.services import star_payment_apply
from payments.tasks import refresh_rate_task
from referrals.services import referral_code_for

pytestmark = pytest.mark.django_db


def lines(caplog, event: str) -> list[dict]:
    formatter = JsonFormatter()
    found = [
        json.loads(formatter.format(record))
        for record in caplog.records
        if getattr(record, "event", None) == event
    ]
    for line in found:
        assert dt.datetime.fromisoformat(line["ts"]).tzinfo is not None
        assert line["level"] in ("info", "warning", "error", "critical")
        assert line["logger"]
        assert line["message"]
    return found


def test_referral_attaches_are_logged_both_ways(
    caplog, api_client, signed_init_data, make_user, next_tg_id, auth_client
) -> None:
    caplog.set_level(logging.INFO)
    referrer = make_user()
    code = referral_code_for(tg_id=referrer.tg_id)
    new_id = next_tg_id()
    response = api_client.post(
        "/api/v1/auth/telegram",
        {"init_data": signed_init_data(tg_id=new_id, start_param=code)},
        format="json",
    )
    assert response.status_code == 200, response.content
    client, user = auth_client()
    assert client.post("/api/v1/referrals/attach", {"code": code}, format="json").status_code == 200

    attached = lines(caplog, "referral_attached")
    by_way = {line["via"]: line for line in attached}
    assert by_way["start_param"]["tg_id"] == new_id
    assert by_way["start_param"]["referrer_id"] == referrer.tg_id
    assert by_way["code"]["tg_id"] == user.tg_id
    assert by_way["code"]["request_id"]  # inside a request: Loki can find the whole request


def test_rate_errors_are_logged(caplog) -> None:
    RateSettings.objects.update_or_create(
        pk=1,
        defaults={"source": "http", "http_url": "http://127.0.0.1:9/none", "http_json_path": "x"},
    )
    assert refresh_rate_task.apply().get() is None
    [line] = lines(caplog, "rate_error")
    assert line["level"] == "error"
    assert line["url"] == "http://127.0.0.1:9/none"


def test_applied_payments_are_logged(caplog, make_user) -> None:
    caplog.set_level(logging.INFO)
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=9)
    result = star_payment_apply(
        from_user_id=user.tg_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=9,
        telegram_payment_charge_id="log-charge-1",
    )
    assert result.applied
    [line] = lines(caplog, "payment_applied")
    assert line["payment_id"] == str(payment.id)
    assert line["user_id"] == user.tg_id
    assert line["stars"] == 9
