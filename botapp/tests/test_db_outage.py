"""The database goes away while a payment arrives: the payment is applied once it returns.

Real processes all the way: ``manage.py runbot`` and a Celery worker reach PostgreSQL through a
TCP proxy that the test cuts and restores; the retry travels through Redis.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from botapp.tests.updates import successful_payment, wait_until
from payments.ledger import balance_get, ledger_mismatches
from payments.models import Payment, StarCharge
from tests.server import ROOT, child_env
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)


def proxied_database_url(proxy: TcpProxy) -> str:
    db = connection.settings_dict
    return f"postgres://{db.get('USER') or 'postgres'}@127.0.0.1:{proxy.port}/{db['NAME']}"


def test_payment_during_database_outage_is_applied_once_after(fake_bot_api, make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=21)
    proxy = TcpProxy(connection.settings_dict.get("HOST") or "127.0.0.1", 5432)
    env = child_env(
        {"TELEGRAM_API_BASE": fake_bot_api.base_url, "DATABASE_URL": proxied_database_url(proxy)}
    )
    logs = [(ROOT / "var" / name).open("w") for name in ("outage-bot.log", "outage-worker.log")]
    bot = subprocess.Popen(
        [sys.executable, "manage.py", "runbot", "--allow-dev-token"],
        cwd=ROOT,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "chancetap",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            "celery",
        ],
        cwd=ROOT,
        env=env,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    try:
        fake_bot_api.wait_for_call("getUpdates", timeout=30)
        # Warm the bot's database connection, then take the database away.
        fake_bot_api.inject_update(
            {
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": user.tg_id, "type": "private"},
                    "from": {"id": user.tg_id, "is_bot": False, "first_name": "P"},
                    "text": "/start",
                }
            }
        )
        fake_bot_api.wait_for_call("sendMessage")
        proxy.cut()
        charge_id = "stxOUTAGE" + uuid.uuid4().hex * 3
        fake_bot_api.inject_update(successful_payment(user, payment, charge_id))
        # The update is consumed (Telegram will not resend it) while the database is down.
        wait_until(lambda: fake_bot_api.pending_updates() == 0, timeout=20)
        time.sleep(2)
        assert balance_get(user_id=user.tg_id) == 0
        proxy.restore()
        wait_until(lambda: balance_get(user_id=user.tg_id) == 21, timeout=60)
        # Telegram re-delivers the same update: nothing changes.
        fake_bot_api.inject_update(successful_payment(user, payment, charge_id))
        wait_until(lambda: fake_bot_api.pending_updates() == 0, timeout=20)
        time.sleep(1)
        assert balance_get(user_id=user.tg_id) == 21
        assert StarCharge.objects.filter(pk=charge_id).count() == 1
        assert ledger_mismatches() == []
    finally:
        for process in (bot, worker):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
        proxy.stop()
