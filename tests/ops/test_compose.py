"""docker-compose.yml at `docker compose config` level, without Docker: the file parses, every
service the stack needs is there, and everything it refers to exists — files and folders it
mounts or builds, pinned images, the commands our image runs, the hosts its configs name and the
variables it reads (documented in .env.example)."""

from __future__ import annotations

import importlib
import os
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
WORKERS = ("worker-realtime", "worker-payments", "worker-maintenance")
APP_SERVICES = ("migrate", "web", *WORKERS, "beat", "bot")
REQUIRED_SERVICES = {
    "postgres",
    "redis",
    "migrate",
    "web",
    "proxy",
    *WORKERS,
    "beat",
    "bot",
    "prometheus",
    "alertmanager",
    "grafana",
    "loki",
    "promtail",
    "jaeger",
}
PINNED_IMAGE = re.compile(r"^[a-z0-9./_-]+:v?[0-9][A-Za-z0-9._-]*(-[a-z0-9]+)*$")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load(COMPOSE)


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


def command_list(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_every_service_of_the_stack_is_there(services) -> None:
    assert set(services) >= REQUIRED_SERVICES, REQUIRED_SERVICES - set(services)


def test_depends_on_names_services(services) -> None:
    for name, service in services.items():
        for dependency in service.get("depends_on", {}) or {}:
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_mounted_and_built_paths_exist(services) -> None:
    seen = 0
    for name, service in services.items():
        build = service.get("build")
        if build is not None:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else None
            assert (context / (dockerfile or "Dockerfile")).is_file(), f"{name}: no Dockerfile"
            seen += 1
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
                seen += 1
    assert seen >= 12


def test_named_volumes_are_declared(compose, services) -> None:
    declared = set(compose.get("volumes", {}))
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith(("./", "/")):
                assert source in declared, f"{name}: volume {source} not declared"


def test_images_are_pinned(services) -> None:
    for name, service in services.items():
        image = service.get("image", "")
        if service.get("build") is not None:
            continue  # built here (our app image, postgres with pgBackRest)
        assert PINNED_IMAGE.match(image), f"{name}: image {image!r} has no pinned version"


def test_app_commands_exist_in_our_image(services) -> None:
    django_commands = get_commands()
    for name in APP_SERVICES:
        command = command_list(services[name])
        program = command[0]
        if program == "python":
            assert command[1] == "manage.py"
            assert (ROOT / "manage.py").is_file()
            assert command[2] in django_commands, f"{name}: no manage.py {command[2]}"
        elif program == "celery":
            assert command[1:3] == ["-A", "chancetap"]
            app = importlib.import_module("chancetap.celery").app
            assert command[3] in ("worker", "beat")
            assert app.main == "chancetap"
        elif program == "uvicorn":
            module, attr = command[1].split(":")
            assert callable(getattr(importlib.import_module(module), attr))
        else:
            pytest.fail(f"{name}: unexpected program {program}")


def test_image_entrypoint_exists_and_runs(tmp_path) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    entry = re.search(r'^ENTRYPOINT \["(/app/[^"]+)"\]', dockerfile, re.M)
    assert entry
    script = ROOT / entry.group(1).removeprefix("/app/")
    assert script.is_file()
    assert os.access(script, os.X_OK)
    stale = tmp_path / "counter_123.db"
    stale.write_bytes(b"x")
    import subprocess

    done = subprocess.run(
        [str(script), "echo", "started"],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "started"
    assert not stale.exists()


def mounted_targets(service: dict[str, Any]) -> dict[str, Path]:
    """Container path → repository path of the ``./`` mounts."""
    targets = {}
    for volume in service.get("volumes", []):
        parts = volume.split(":")
        if parts[0].startswith("./"):
            targets[parts[1]] = ROOT / parts[0]
    return targets


def test_config_files_named_in_commands_are_mounted(services) -> None:
    checked = 0
    for name, service in services.items():
        targets = mounted_targets(service)
        text = " ".join(command_list(service))
        for path in re.findall(r"-config\.file=(\S+)", text):
            if path.startswith("/tmp/"):
                continue  # rendered at start from a mounted file
            assert path in targets, f"{name}: {path} is not mounted"
            checked += 1
        for path in re.findall(r"(/etc/\S+\.yml)", text):
            assert path in targets, f"{name}: {path} is not mounted"
    assert checked >= 3


def test_variables_are_documented_in_env_example(compose) -> None:
    text = COMPOSE.read_text()
    names = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", text))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z0-9_]+)=", example, re.M))
    assert names, "no variables found"
    assert names <= documented, f"not in .env.example: {sorted(names - documented)}"


def database_user(url: str) -> str:
    """The user of a compose URL (its ``${VAR:?message}`` parts read as a plain value)."""
    return urlsplit(re.sub(r"\$\{[^}]*\}", "value", url)).username or ""


def test_no_app_service_connects_as_the_owner(services) -> None:
    """Row-level security binds chancetap_app, not POSTGRES_USER (a superuser in the image):
    the app runs as chancetap_app, only `migrate` as the owner, backups as chancetap_backup."""
    owner = services["postgres"]["environment"]["POSTGRES_USER"]
    assert owner != "chancetap_app"
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert database_user(environment["DATABASE_URL"]) == "chancetap_app", name
        for variable in ("MIGRATIONS_DATABASE_URL", "BACKUP_DATABASE_URL"):
            if name != "migrate" or variable != "MIGRATIONS_DATABASE_URL":
                assert database_user(environment.get(variable, "")) != owner, (name, variable)
    assert database_user(services["migrate"]["environment"]["MIGRATIONS_DATABASE_URL"]) == owner
    backup = services["worker-maintenance"]["environment"]["BACKUP_DATABASE_URL"]
    assert database_user(backup) == "chancetap_backup"
    # The roles get LOGIN and the passwords compose hands to the URLs.
    assert "./ops/postgres/initdb:/docker-entrypoint-initdb.d:ro" in services["postgres"]["volumes"]
    script = (ROOT / "ops/postgres/initdb/10-app-roles.sh").read_text()
    assert os.access(ROOT / "ops/postgres/initdb/10-app-roles.sh", os.X_OK)
    for role, variable in (("chancetap_app", "APP"), ("chancetap_backup", "BACKUP")):
        assert f"ALTER ROLE {role} LOGIN" in script
        assert (
            f"${{{variable}_DB_PASSWORD:?"
            in services["postgres"]["environment"][f"{variable}_DB_PASSWORD"]
        )
        assert f"{variable}_DB_PASSWORD" in script


def test_web_runs_replicas_behind_a_sticky_proxy(services) -> None:
    assert services["web"]["deploy"]["replicas"] >= 2
    assert "ports" not in services["web"], "only the proxy is published"
    cfg = (ROOT / "ops/haproxy/haproxy.cfg").read_text()
    assert re.search(r"^\s*server-template web \d+ web:8000", cfg, re.M)
    assert re.search(r"^\s*cookie \S+ insert .*dynamic", cfg, re.M)
    assert re.search(r"^\s*balance source", cfg, re.M)
    assert "timeout tunnel" in cfg  # WebSockets stay open
    assert "HAPROXY_COOKIE_KEY" in services["proxy"]["environment"]


def test_postgres_archives_wal_with_pgbackrest(services) -> None:
    postgres = services["postgres"]
    command = command_list(postgres)
    assert "archive_mode=on" in command
    assert "archive_command=pgbackrest --stanza=chancetap archive-push %p" in command
    assert "archive_timeout=60" in command  # RPO <= 1 min (make rpo-drill)
    assert mounted_targets(postgres)["/etc/pgbackrest/pgbackrest.conf"] == (
        ROOT / "ops/pgbackrest/pgbackrest.conf"
    )
    assert "pgbackrest" in (ROOT / "ops/postgres/Dockerfile").read_text()


def hosts_in(text: str) -> set[str]:
    return {
        urlsplit(url).hostname or ""
        for url in re.findall(r"https?://[A-Za-z0-9_.:-]+", text)
        if "${" not in url
    }


def test_config_hosts_are_services(services) -> None:
    allowed = set(services) | {"localhost", "127.0.0.1"}
    for path in [
        "ops/grafana/provisioning/datasources/datasources.yml",
        "ops/promtail/promtail.yml",
    ]:
        hosts = hosts_in((ROOT / path).read_text())
        assert hosts, path
        assert hosts <= allowed, f"{path}: {hosts - allowed}"
    prometheus = load(ROOT / "ops/prometheus/prometheus.yml")
    names: set[str] = set()
    for job in prometheus["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            names.update(sd["names"])
        for static in job.get("static_configs", []):
            names.update(target.split(":")[0] for target in static["targets"])
    for manager in prometheus["alerting"]["alertmanagers"]:
        for static in manager["static_configs"]:
            names.update(target.split(":")[0] for target in static["targets"])
    assert names <= allowed, names - allowed
    targets = mounted_targets(services["prometheus"])
    for rule_file in prometheus["rule_files"]:
        assert rule_file in targets
    # ports the scrape jobs use are the ones the services are told to serve
    bot_env = services["bot"]["environment"]
    for worker in WORKERS:
        assert services[worker]["environment"]["CELERY_METRICS_PORT"] == "9808"
    assert bot_env["BOT_METRICS_PORT"] == "9809"


def test_grafana_is_provisioned(services) -> None:
    targets = mounted_targets(services["grafana"])
    datasources = load(ROOT / "ops/grafana/provisioning/datasources/datasources.yml")
    assert {d["type"] for d in datasources["datasources"]} == {"prometheus", "loki", "jaeger"}
    providers = load(ROOT / "ops/grafana/provisioning/dashboards/dashboards.yml")
    path = providers["providers"][0]["options"]["path"]
    assert path in targets
    assert any(targets[path].glob("*.json"))


def test_logs_are_shipped_to_loki_and_kept_14_days(compose) -> None:
    loki = load(ROOT / "ops/loki/loki.yml")
    assert loki["limits_config"]["retention_period"] == "336h"
    assert loki["compactor"]["retention_enabled"] is True
    promtail = load(ROOT / "ops/promtail/promtail.yml")
    assert promtail["clients"][0]["url"] == "http://loki:3100/loki/api/v1/push"
    [job] = promtail["scrape_configs"]
    filters = job["docker_sd_configs"][0]["filters"][0]["values"]
    assert filters == [f"com.docker.compose.project={compose['name']}"]


def test_tracing_goes_to_jaeger(services) -> None:
    env = services["web"]["environment"]
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith("http://jaeger:4318}")
    assert services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
