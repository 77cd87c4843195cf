"""The GitHub workflows have the jobs the project promises (actionlint checks the rest in
scripts/check-ops): lint, type checks, tests with PostgreSQL and Redis services, the frontend
build, and a deploy that builds and pushes the image and migrates forward-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"])


def test_ci_jobs() -> None:
    ci = load("ci.yml")
    jobs = ci["jobs"]
    assert {"lint", "typecheck", "tests", "frontend"} <= set(jobs)
    lint = steps_text(jobs["lint"])
    for tool in ("ruff check", "ruff format --check", "npm run lint", "format:check", "check-ops"):
        assert tool in lint
    typecheck = steps_text(jobs["typecheck"])
    assert "mypy" in typecheck
    assert "npm run typecheck" in typecheck
    tests = jobs["tests"]
    assert set(tests["services"]) == {"postgres", "redis"}
    assert "pytest" in steps_text(tests)
    assert tests["env"]["DATABASE_URL"].startswith("postgres://")
    assert tests["env"]["REDIS_URL"].startswith("redis://")
    assert "npm run build" in steps_text(jobs["frontend"])


def test_deploy_builds_pushes_and_migrates_forward_only() -> None:
    deploy = load("deploy.yml")
    # PyYAML reads the bare key `on` as True.
    trigger = deploy.get("on") or deploy[True]
    assert trigger["workflow_run"]["workflows"] == ["CI"]
    jobs = deploy["jobs"]
    image = steps_text(jobs["image"])
    assert "docker/build-push-action" in image
    build = next(s for s in jobs["image"]["steps"] if "build-push" in s.get("uses", ""))
    assert build["with"]["push"] is True
    roll = steps_text(jobs["migrate-and-roll"])
    assert "makemigrations --check" in roll
    assert "manage.py migrate --noinput" in roll
    # forward-only: never a migration target (that could unapply migrations)
    assert "migrate --noinput" in roll
    assert " zero" not in roll
    assert jobs["migrate-and-roll"]["needs"] == "image"
