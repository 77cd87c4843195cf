"""Every metric the alert rules and the Grafana dashboard query is one the processes export
(a typo would make an alert silently never fire)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from django_prometheus.middleware import Metrics
from prometheus_client.registry import REGISTRY

import chancetap.observability.metrics  # (registers our metrics)
import chancetap.outbound.http  # noqa: F401  (registers chancetap_outbound_*)
import payments.rates  # noqa: F401  (registers chancetap_rate_refresh_total)

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\b((?:chancetap|django)_[a-z0-9_]+)")
# Exported by scrape-time collectors (not registered metrics): chancetap.backups.services' from the
# shared cache, chancetap.backups.wal's from PostgreSQL.
BACKUP_METRICS = {
    "chancetap_backup_last_success_timestamp_seconds",
    "chancetap_backup_last_size_bytes",
    "chancetap_backup_last_duration_seconds",
    "chancetap_backup_last_failure_timestamp_seconds",
    # chancetap.backups.wal's collector, from pg_stat_archiver (only where archive_mode is on).
    "chancetap_wal_archive_last_success_timestamp_seconds",
    "chancetap_wal_archive_failures_total",
    "chancetap_wal_archive_pending_bytes",
}


def exported() -> set[str]:
    Metrics.get_instance()  # django-prometheus registers django_http_* on first use
    names = set(BACKUP_METRICS)
    for family in REGISTRY.collect():
        names.add(family.name)
        for suffix in ("_total", "_bucket", "_count", "_sum", "_created"):
            names.add(family.name + suffix)
    return names


def queried() -> dict[str, set[str]]:
    rules = yaml.safe_load((ROOT / "ops/prometheus/alerts.yml").read_text())
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    found: dict[str, set[str]] = {}
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule["record"]
            found[f"alerts.yml:{name}"] = set(NAME.findall(rule["expr"])) - recorded
    dashboard = json.loads((ROOT / "ops/grafana/dashboards/chancetap.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            if target["datasource"]["type"] == "prometheus":
                names = set(NAME.findall(target["expr"])) - recorded
                found.setdefault(f"dashboard:{panel['title']}", set()).update(names)
    return found


def test_alerts_and_dashboard_query_exported_metrics() -> None:
    names = exported()
    queries = queried()
    assert len(queries) > 20
    unknown = {where: sorted(used - names) for where, used in queries.items() if used - names}
    assert not unknown, unknown


def test_recording_rules_are_used() -> None:
    rules = yaml.safe_load((ROOT / "ops/prometheus/alerts.yml").read_text())
    text = (ROOT / "ops/prometheus/alerts.yml").read_text()
    dashboard = (ROOT / "ops/grafana/dashboards/chancetap.json").read_text()
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "record" in rule:
                assert text.count(rule["record"]) >= 2 or rule["record"] in dashboard
