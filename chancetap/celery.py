"""The one Celery app. Tasks are thin interfaces over services (STYLE.md rule 7)."""

import os

from celery import Celery

from chancetap.observability import metrics
from chancetap.observability.logging import celery_request_ids_connect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancetap.settings")

app = Celery("chancetap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
metrics.celery_signals_connect()
celery_request_ids_connect()

app.conf.beat_schedule = {
    "payments-refresh-rate": {"task": "payments.refresh_rate", "schedule": 5 * 60},
    "payments-ton-poll": {"task": "payments.ton_poll", "schedule": 30},
    "rooms-sweep": {"task": "rooms.sweep", "schedule": 5},
    "rooms-sweep-bonus": {"task": "rooms.sweep_bonus_runs", "schedule": 30},
    "payments-reconcile": {"task": "payments.reconcile", "schedule": 15 * 60},
    "payments-ledger-check": {"task": "payments.ledger_check", "schedule": 60 * 60},
    "core-expire-idempotency": {"task": "core.expire_idempotency_records", "schedule": 60 * 60},
    "botapp-notifications": {"task": "botapp.notifications_deliver", "schedule": 30},
    "botapp-notifications-prune": {"task": "botapp.notifications_prune", "schedule": 24 * 60 * 60},
    "core-backup-db": {"task": "core.backup_db", "schedule": 60 * 60},  # docs/operations.md
}
