"""Logical database backups to an S3-compatible bucket (Cloudflare R2, AWS S3, MinIO, moto).

- ``backup_create`` streams ``pg_dump --format=custom`` (compressed by pg_dump) into a multipart
  upload, hashing it with SHA-256 on the way (memory use: a few parts, never the whole dump), then
  writes a JSON manifest ``<name>.json`` beside it. The manifest is the commit marker: a dump
  without one is unfinished and is never listed or restored. Retention runs after each success.
- ``backup_restore`` downloads a backup to a temporary file, checks its size and SHA-256 against the
  manifest (refusing on a mismatch) and ``pg_restore``s it into a target database that is not the
  live one unless the caller says so explicitly.
- The last success and failure are recorded in the Django cache (Redis: shared by the worker that
  runs the backup and the web processes that serve ``/metrics``); ``BackupStatusCollector`` exports
  them as ``chancetap_backup_last_success_timestamp_seconds`` and friends.

Interfaces: ``manage.py backup_db`` / ``restore_db`` and the hourly Celery task ``core.backup_db``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.cache import cache
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector, CollectorRegistry
from psycopg import sql

logger = logging.getLogger("chancetap.backups")

DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".json"
MANIFEST_VERSION = 1
_NAME_RE = re.compile(r"^(?P<stamp>\d{8}T\d{6}\.\d{3}Z)-(?P<db>[A-Za-z0-9_.-]+)\.dump$")
_STAMP_FORMAT = "%Y%m%dT%H%M%S"
# A dump without a manifest older than this is an abandoned upload and retention removes it.
ORPHAN_AGE = dt.timedelta(days=1)
LAST_SUCCESS_KEY = "backups:last_success"
LAST_FAILURE_KEY = "backups:last_failure"
LOCK_KEY = "backups:lock"
# libpq environment variables we pass through (never the URL itself: it would show in `ps`).
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@contextlib.contextmanager
def _storage(what: str) -> Iterator[None]:
    """Turn the S3 client's errors (no such bucket, access denied, unreachable) into BackupError."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise BackupError(f"{what}: {exc}") from None


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSettings:
    bucket: str
    endpoint_url: str
    region: str
    access_key_id: str
    secret_access_key: str
    prefix: str
    retention_days: int
    keep_count: int
    part_size: int
    max_in_flight: int
    compress_level: int
    pg_bin_dir: str
    temp_dir: str

    @classmethod
    def from_django(cls) -> BackupSettings:
        bucket = getattr(settings, "BACKUP_S3_BUCKET", "")
        if not bucket:
            raise BackupError("Backups are not configured: set BACKUP_S3_BUCKET (and credentials).")
        prefix = getattr(settings, "BACKUP_PREFIX", "logical/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        part_mb = int(getattr(settings, "BACKUP_PART_SIZE_MB", 16))
        if part_mb < 5:
            raise BackupError("BACKUP_PART_SIZE_MB must be at least 5 (the S3 minimum part size).")
        level = int(getattr(settings, "BACKUP_COMPRESS_LEVEL", 6))
        if not 0 <= level <= 9:
            raise BackupError("BACKUP_COMPRESS_LEVEL must be between 0 and 9.")
        return cls(
            bucket=bucket,
            endpoint_url=getattr(settings, "BACKUP_S3_ENDPOINT_URL", ""),
            region=getattr(settings, "BACKUP_S3_REGION", "") or "auto",
            access_key_id=getattr(settings, "BACKUP_S3_ACCESS_KEY_ID", ""),
            secret_access_key=getattr(settings, "BACKUP_S3_SECRET_ACCESS_KEY", ""),
            prefix=prefix,
            retention_days=max(0, int(getattr(settings, "BACKUP_RETENTION_DAYS", 14))),
            keep_count=max(1, int(getattr(settings, "BACKUP_KEEP_COUNT", 3))),
            part_size=part_mb * 1024 * 1024,
            max_in_flight=max(1, int(getattr(settings, "BACKUP_UPLOAD_CONCURRENCY", 4))),
            compress_level=level,
            pg_bin_dir=getattr(settings, "BACKUP_PG_BIN_DIR", ""),
            temp_dir=getattr(settings, "BACKUP_TEMP_DIR", "") or tempfile.gettempdir(),
        )

    def s3_client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url or None,
            region_name=self.region,
            # Credentials come from the environment (settings); None lets boto3 use its own chain.
            aws_access_key_id=self.access_key_id or None,
            aws_secret_access_key=self.secret_access_key or None,
            config=Config(
                s3={"addressing_style": "path"} if self.endpoint_url else {},
                retries={"max_attempts": 5, "mode": "standard"},
                max_pool_connections=self.max_in_flight + 2,
            ),
        )


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database lives, as libpq sees it (password never printed)."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: int = 5432
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            parts = urlsplit(url.strip())
            port = parts.port or 5432
        except ValueError as exc:
            raise BackupError(f"Not a valid database URL: {exc}.") from None
        if parts.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
            raise BackupError(
                "The database URL must be postgres://user:password@host:port/name "
                f"(got scheme {parts.scheme or 'none'!r})."
            )
        name = unquote(parts.path.lstrip("/"))
        if not name or "/" in name:
            raise BackupError("The database URL must name one database: postgres://…/name.")
        options = {k: v for k, v in parse_qsl(parts.query) if k in _LIBPQ_OPTIONS}
        return cls(
            name=name,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=unquote(parts.hostname or ""),
            port=port,
            options=options,
        )

    @classmethod
    def from_django(cls, config: dict[str, Any]) -> Database:
        if not str(config.get("ENGINE", "")).endswith(".postgresql"):
            raise BackupError("Backups need PostgreSQL: DATABASE_URL is not a postgres:// URL.")
        opts = config.get("OPTIONS") or {}
        return cls(
            name=str(config["NAME"]),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
            host=str(config.get("HOST") or ""),
            port=int(config.get("PORT") or 5432),
            options={k: str(v) for k, v in opts.items() if k in _LIBPQ_OPTIONS},
        )

    def with_name(self, name: str) -> Database:
        return Database(
            name or self.name, self.user, self.password, self.host, self.port, dict(self.options)
        )

    def display(self) -> str:
        user = f"{self.user}@" if self.user else ""
        return f"postgres://{user}{self.host or 'localhost'}:{self.port}/{self.name}"

    def libpq_env(self) -> dict[str, str]:
        env = {"PGDATABASE": self.name, "PGPORT": str(self.port)}
        if self.host:
            env["PGHOST"] = self.host
        if self.user:
            env["PGUSER"] = self.user
        if self.password:
            env["PGPASSWORD"] = self.password
        for key, value in self.options.items():
            env[_LIBPQ_OPTIONS[key]] = value
        return env

    def connect_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"dbname": self.name, "port": self.port, "connect_timeout": 10}
        if self.host:
            kwargs["host"] = self.host
        if self.user:
            kwargs["user"] = self.user
        if self.password:
            kwargs["password"] = self.password
        kwargs.update(self.options)
        return kwargs

    def same_as(self, other: Database) -> bool:
        def where(db: Database) -> tuple[str, int, str]:
            host = db.host.lower()
            local = host in _LOCAL_HOSTS or host.startswith("/")
            return ("local" if local else host, db.port, db.name)

        return where(self) == where(other)


def backup_source_database() -> Database:
    """The database to back up: BACKUP_DATABASE_URL (a role with BYPASSRLS) or the app's own."""
    url = getattr(settings, "BACKUP_DATABASE_URL", "")
    if url:
        return Database.from_url(url)
    return Database.from_django(settings.DATABASES["default"])


def live_databases() -> list[Database]:
    """The databases this deployment runs on; restoring over them needs an explicit flag."""
    found: list[Database] = []
    config = settings.DATABASES["default"]
    if str(config.get("ENGINE", "")).endswith(".postgresql"):
        found.append(Database.from_django(config))
    for url in (
        getattr(settings, "BACKUP_DATABASE_URL", ""),
        getattr(settings, "DATABASE_URL", ""),
    ):
        if url:
            with contextlib.suppress(BackupError):
                found.append(Database.from_url(url))
    return found


# --- PostgreSQL client binaries ------------------------------------------------------------------


def _server_major(db: Database) -> int:
    try:
        with psycopg.connect(**db.connect_kwargs()) as conn:
            return conn.info.server_version // 10000
    except psycopg.Error as exc:
        raise BackupError(f"Cannot connect to {db.display()}: {_pg_message(exc)}") from None


def _pg_message(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _binary_major(path: str) -> int:
    out = subprocess.run(  # noqa: S603 - a fixed binary path and argument
        [path, "--version"], capture_output=True, text=True, check=False, timeout=30
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"Cannot tell the version of {path} ({out.strip()!r}).")
    return int(match.group(1))


def pg_binary(name: str, *, server_major: int, bin_dir: str = "") -> str:
    """``pg_dump`` / ``pg_restore`` at least as new as the server.

    BACKUP_PG_BIN_DIR wins; otherwise Debian's /usr/lib/postgresql/<server major>/bin, then PATH,
    then the newest /usr/lib/postgresql/*/bin (pg_dump refuses servers newer than itself).
    """
    candidates: list[str] = []
    if bin_dir:
        candidates.append(str(Path(bin_dir) / name))
    else:
        candidates.append(f"/usr/lib/postgresql/{server_major}/bin/{name}")
        on_path = shutil.which(name)
        if on_path:
            candidates.append(on_path)
        versions = sorted(
            (p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}")),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
            reverse=True,
        )
        candidates.extend(str(p) for p in versions)
    seen: list[str] = []
    for path in candidates:
        if not os.access(path, os.X_OK) or path in seen:
            continue
        seen.append(path)
        major = _binary_major(path)
        if major >= server_major:
            return path
    if not seen:
        raise BackupError(
            f"{name} not found. Install postgresql-client-{server_major} or set BACKUP_PG_BIN_DIR."
        )
    raise BackupError(
        f"{name} is older than the server (PostgreSQL {server_major}): tried {', '.join(seen)}. "
        f"Install postgresql-client-{server_major} or set BACKUP_PG_BIN_DIR."
    )


def _child_env(db: Database) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(db.libpq_env())
    return env


# --- naming and listing --------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    name: str  # e.g. 20261203T010700.123Z-chancetap.dump
    key: str  # prefix + name
    created_at: dt.datetime
    size: int


def backup_name_new(db_name: str, now: dt.datetime) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", db_name)[:100] or "db"
    stamp = now.astimezone(dt.UTC).strftime(_STAMP_FORMAT) + f".{now.microsecond // 1000:03d}Z"
    return f"{stamp}-{safe}{DUMP_SUFFIX}"


def backup_name_time(name: str) -> dt.datetime | None:
    match = _NAME_RE.match(name)
    if not match:
        return None
    stamp = match.group("stamp")
    base = dt.datetime.strptime(stamp[:15], _STAMP_FORMAT).replace(tzinfo=dt.UTC)
    return base + dt.timedelta(milliseconds=int(stamp[16:19]))


@dataclass
class BucketListing:
    backups: list[BackupInfo]  # complete backups (dump + manifest), oldest first
    orphans: list[tuple[str, dt.datetime]]  # keys of dumps/manifests without their partner


def bucket_list(config: BackupSettings, client: Any) -> BucketListing:
    dumps: dict[str, tuple[int, dt.datetime]] = {}
    manifests: dict[str, dt.datetime] = {}
    paginator = client.get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=config.bucket, Prefix=config.prefix):
            for obj in page.get("Contents", []):
                name = obj["Key"][len(config.prefix) :]
                if "/" in name:
                    continue
                if name.endswith(DUMP_SUFFIX):
                    dumps[name] = (int(obj["Size"]), obj["LastModified"])
                elif name.endswith(DUMP_SUFFIX + MANIFEST_SUFFIX):
                    manifests[name[: -len(MANIFEST_SUFFIX)]] = obj["LastModified"]
    except Exception as exc:
        raise BackupError(f"Cannot list s3://{config.bucket}/{config.prefix}: {exc}") from None
    backups: list[BackupInfo] = []
    orphans: list[tuple[str, dt.datetime]] = []
    for name, (size, modified) in dumps.items():
        created = backup_name_time(name)
        if name in manifests and created is not None:
            backups.append(BackupInfo(name, config.prefix + name, created, size))
        else:
            orphans.append((config.prefix + name, modified))
    for name, modified in manifests.items():
        if name not in dumps:
            orphans.append((config.prefix + name + MANIFEST_SUFFIX, modified))
    backups.sort(key=lambda b: (b.created_at, b.name))
    return BucketListing(backups=backups, orphans=orphans)


def backup_find(config: BackupSettings, client: Any, *, name: str | None) -> BackupInfo:
    """The named backup (name or full key), or the newest one when ``name`` is None."""
    backups = bucket_list(config, client).backups
    if name is None:
        if not backups:
            raise BackupError(f"No backups in s3://{config.bucket}/{config.prefix}.")
        return backups[-1]
    wanted = name[len(config.prefix) :] if name.startswith(config.prefix) else name
    wanted = wanted.removesuffix(MANIFEST_SUFFIX)
    for backup in backups:
        if backup.name == wanted:
            return backup
    hint = f" The newest is {backups[-1].name}." if backups else ""
    raise BackupError(
        f"No complete backup named {name!r} in s3://{config.bucket}/{config.prefix}.{hint}"
    )


def manifest_get(config: BackupSettings, client: Any, backup: BackupInfo) -> dict[str, Any]:
    try:
        body = client.get_object(Bucket=config.bucket, Key=backup.key + MANIFEST_SUFFIX)["Body"]
        manifest: dict[str, Any] = json.loads(body.read())
    except Exception as exc:
        raise BackupError(f"Cannot read the manifest of {backup.name}: {exc}") from None
    if not re.fullmatch(r"[0-9a-f]{64}", str(manifest.get("sha256", ""))):
        raise BackupError(f"The manifest of {backup.name} has no valid sha256.")
    return manifest


# --- retention -----------------------------------------------------------------------------------


def retention_plan(
    backups: list[BackupInfo], *, now: dt.datetime, retention_days: int, keep_count: int
) -> list[BackupInfo]:
    """The backups to delete: older than ``retention_days`` and not among the ``keep_count`` newest.

    The newest backup is never deleted (``keep_count`` is at least 1); ``retention_days`` 0 means
    "keep only the newest ``keep_count``".
    """
    newest_first = sorted(backups, key=lambda b: (b.created_at, b.name), reverse=True)
    cutoff = now - dt.timedelta(days=retention_days)
    return [b for b in newest_first[max(1, keep_count) :] if b.created_at < cutoff]


def backups_apply_retention(
    config: BackupSettings, client: Any, *, now: dt.datetime | None = None
) -> list[str]:
    """Delete expired backups and abandoned uploads; returns the deleted keys."""
    now = now or dt.datetime.now(dt.UTC)
    listing = bucket_list(config, client)
    doomed = retention_plan(
        listing.backups, now=now, retention_days=config.retention_days, keep_count=config.keep_count
    )
    keys: list[str] = []
    for backup in doomed:
        keys += [backup.key + MANIFEST_SUFFIX, backup.key]  # manifest first: no half-listed backup
    keys += [key for key, modified in listing.orphans if now - modified > ORPHAN_AGE]
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        with _storage(f"Retention could not remove objects in s3://{config.bucket}"):
            result = client.delete_objects(
                Bucket=config.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
            )
        if result.get("Errors"):
            raise BackupError(f"Retention could not delete some objects: {result['Errors'][:3]}")
    if keys:
        logger.info(
            "backups deleted by retention",
            extra={
                "event": "backup_retention",
                "deleted": keys,
                "kept": len(listing.backups) - len(doomed),
            },
        )
    return keys


# --- backup --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    name: str
    key: str
    size_bytes: int
    sha256: str
    duration_seconds: float
    deleted: list[str]


def _read_full(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def stream_upload(
    config: BackupSettings,
    client: Any,
    *,
    key: str,
    stream: IO[bytes],
    before_complete: Callable[[], None] = lambda: None,
) -> tuple[int, str]:
    """Multipart-upload ``stream`` to ``key``; returns (size, sha256). Aborts on any error.

    At most ``max_in_flight`` parts are held in memory at once. ``before_complete`` runs after the
    stream ended and before the upload is completed: it may raise to abandon the upload (the
    producer failed), so a truncated dump never becomes an object.
    """
    upload_id = client.create_multipart_upload(
        Bucket=config.bucket, Key=key, ContentType="application/octet-stream"
    )["UploadId"]
    hasher = hashlib.sha256()
    size = 0
    try:
        futures: dict[int, Future[Any]] = {}
        with ThreadPoolExecutor(max_workers=config.max_in_flight) as pool:
            number = 0
            while True:
                chunk = _read_full(stream, config.part_size)
                if not chunk and number:
                    break
                number += 1
                hasher.update(chunk)
                size += len(chunk)
                futures[number] = pool.submit(
                    client.upload_part,
                    Bucket=config.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                )
                del chunk
                pending = [f for f in futures.values() if not f.done()]
                if len(pending) >= config.max_in_flight:
                    wait(pending, return_when=FIRST_COMPLETED)
                for done in (f for f in futures.values() if f.done()):
                    done.result()  # raise early on a failed part
                if size % config.part_size:
                    break  # a short read: the stream has ended
            parts = [
                {"PartNumber": n, "ETag": futures[n].result()["ETag"]} for n in sorted(futures)
            ]
        before_complete()
        client.complete_multipart_upload(
            Bucket=config.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        with contextlib.suppress(Exception):
            client.abort_multipart_upload(Bucket=config.bucket, Key=key, UploadId=upload_id)
        raise
    return size, hasher.hexdigest()


def backup_create(
    *, apply_retention: bool = True, source: Database | None = None, client: Any = None
) -> BackupResult:
    """Dump the source database into the bucket; record the outcome for the metrics."""
    started = time.monotonic()
    try:
        config = BackupSettings.from_django()
        source = source or backup_source_database()
        client = client or config.s3_client()
        with _storage(f"Backup storage s3://{config.bucket} failed"):
            result = _backup_create(config, client, source, apply_retention, started)
    except BaseException as exc:
        backup_failure_record(error=str(exc) or type(exc).__name__)
        logger.error(
            "backup failed",
            extra={"event": "backup_failed", "error": str(exc) or type(exc).__name__},
            exc_info=not isinstance(exc, BackupError),
        )
        raise
    backup_success_record(result)
    return result


def _backup_create(
    config: BackupSettings, client: Any, source: Database, apply_retention: bool, started: float
) -> BackupResult:
    server_major = _server_major(source)
    pg_dump = pg_binary("pg_dump", server_major=server_major, bin_dir=config.pg_bin_dir)
    now = dt.datetime.now(dt.UTC)
    name = backup_name_new(source.name, now)
    key = config.prefix + name
    logger.info(
        "backup started",
        extra={"event": "backup_started", "backup": name, "database": source.display()},
    )
    with tempfile.TemporaryFile(dir=config.temp_dir) as stderr:
        proc = subprocess.Popen(  # noqa: S603 - fixed binary, no shell
            [
                pg_dump,
                "--format=custom",
                f"--compress={config.compress_level}",
                "--no-password",
                "--lock-wait-timeout=120s",
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=_child_env(source),
        )
        assert proc.stdout is not None

        def check_pg_dump() -> None:
            if proc.wait() != 0:
                stderr.seek(0)
                tail = stderr.read().decode(errors="replace").strip()[-2000:]
                raise BackupError(f"pg_dump failed (exit {proc.returncode}): {tail}")

        try:
            size, digest = stream_upload(
                config, client, key=key, stream=proc.stdout, before_complete=check_pg_dump
            )
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
    duration = time.monotonic() - started
    manifest = {
        "version": MANIFEST_VERSION,
        "name": name,
        "key": key,
        "created_at": now.isoformat(),
        "database": source.name,
        "server_major": server_major,
        "pg_dump": pg_dump,
        "format": "pg_dump-custom",
        "compression": f"gzip-{config.compress_level}",
        "size_bytes": size,
        "sha256": digest,
        "duration_seconds": round(duration, 3),
    }
    client.put_object(
        Bucket=config.bucket,
        Key=key + MANIFEST_SUFFIX,
        Body=json.dumps(manifest, indent=2).encode(),
        ContentType="application/json",
        Metadata={"sha256": digest, "size-bytes": str(size)},
    )
    deleted = backups_apply_retention(config, client, now=now) if apply_retention else []
    result = BackupResult(name, key, size, digest, round(duration, 3), deleted)
    logger.info(
        "backup succeeded",
        extra={
            "event": "backup_succeeded",
            "backup": name,
            "size_bytes": size,
            "sha256": digest,
            "duration_seconds": result.duration_seconds,
            "deleted": len(deleted),
        },
    )
    return result


# --- restore -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    name: str
    target: str
    size_bytes: int
    sha256: str
    download_seconds: float
    restore_seconds: float
    analyze_seconds: float


def download_verified(
    config: BackupSettings, client: Any, backup: BackupInfo, manifest: dict[str, Any], path: Path
) -> None:
    """Stream the dump to ``path`` and check it against the manifest; refuse on any mismatch."""
    hasher = hashlib.sha256()
    size = 0
    try:
        body = client.get_object(Bucket=config.bucket, Key=backup.key)["Body"]
        with path.open("wb") as out:
            for chunk in body.iter_chunks(chunk_size=8 * 1024 * 1024):
                hasher.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except Exception as exc:
        raise BackupError(f"Cannot download {backup.name}: {exc}") from None
    expected_size = int(manifest.get("size_bytes", -1))
    digest = hasher.hexdigest()
    if digest != manifest["sha256"] or size != expected_size:
        raise BackupError(
            f"Checksum mismatch for {backup.name}: the manifest says sha256 {manifest['sha256']} "
            f"({expected_size} bytes), the downloaded object is sha256 {digest} ({size} bytes). "
            "The backup is damaged or was altered; refusing to restore it."
        )


def _target_relations(target: Database) -> int | None:
    """How many relations the target holds outside the system schemas; None when it is missing."""
    try:
        with psycopg.connect(**target.connect_kwargs(), autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
            ).fetchone()
    except psycopg.OperationalError as exc:
        if "does not exist" in str(exc):
            return None
        raise BackupError(f"Cannot connect to {target.display()}: {_pg_message(exc)}") from None
    return int(row[0]) if row else 0


def _database_create(target: Database) -> None:
    admin_db = target.with_name("postgres")
    try:
        with psycopg.connect(**admin_db.connect_kwargs(), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))
    except psycopg.Error as exc:
        raise BackupError(f"Cannot create {target.display()}: {_pg_message(exc)}") from None
    logger.info(
        "restore target created",
        extra={"event": "restore_target_created", "target": target.display()},
    )


def backup_restore(
    *,
    target: Database,
    name: str | None = None,
    clean: bool = False,
    create: bool = False,
    jobs: int = 2,
    no_owner: bool = False,
    analyze: bool = True,
    allow_live: bool = False,
    client: Any = None,
    progress: Callable[[str], None] = lambda message: None,
) -> RestoreResult:
    """Restore the named (or newest) backup into ``target``."""
    if jobs < 1:
        raise BackupError("--jobs must be at least 1.")
    if not allow_live and any(target.same_as(live) for live in live_databases()):
        raise BackupError(
            f"{target.display()} is the live database of this deployment. Restore into another "
            "database and switch over, or pass --allow-live-database if you really mean it."
        )
    config = BackupSettings.from_django()
    client = client or config.s3_client()
    backup = backup_find(config, client, name=name)
    manifest = manifest_get(config, client, backup)
    # Refuse before downloading anything or touching the target.
    relations = _target_relations(target)
    if relations is None and not create:
        raise BackupError(
            f"The target database {target.name!r} does not exist: create it or pass --create."
        )
    if relations and not clean:
        raise BackupError(
            f"The target database {target.name!r} is not empty ({relations} relations): restore "
            "into an empty database, or pass --clean to drop the objects the backup contains first."
        )
    free = shutil.disk_usage(config.temp_dir).free
    if free < backup.size + 64 * 1024 * 1024:
        raise BackupError(
            f"Not enough space in {config.temp_dir} for {backup.name}: {backup.size} bytes needed, "
            f"{free} free. Point BACKUP_TEMP_DIR at a larger disk."
        )
    server_db = target if relations is not None else target.with_name("postgres")
    pg_restore = pg_binary(
        "pg_restore", server_major=_server_major(server_db), bin_dir=config.pg_bin_dir
    )
    logger.info(
        "restore started",
        extra={"event": "restore_started", "backup": backup.name, "target": target.display()},
    )
    with tempfile.TemporaryDirectory(dir=config.temp_dir, prefix="chancetap-restore-") as tmp:
        path = Path(tmp) / backup.name
        progress(f"downloading {backup.name} ({backup.size} bytes)")
        t0 = time.monotonic()
        download_verified(config, client, backup, manifest, path)
        download_seconds = time.monotonic() - t0
        progress(f"checksum ok (sha256 {manifest['sha256']}); restoring into {target.display()}")
        if relations is None:
            _database_create(target)
        args = [pg_restore, "--no-password", "--exit-on-error", f"--jobs={jobs}"]
        if clean:
            args += ["--clean", "--if-exists"]
        if no_owner:
            args += ["--no-owner", "--no-privileges"]
        args += [f"--dbname={target.name}", str(path)]
        t0 = time.monotonic()
        done = subprocess.run(  # noqa: S603 - fixed binary, no shell
            args, capture_output=True, text=True, env=_child_env(target), check=False
        )
        restore_seconds = time.monotonic() - t0
        if done.returncode != 0:
            raise BackupError(
                f"pg_restore failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}"
            )
    analyze_seconds = 0.0
    if analyze:
        progress("ANALYZE")
        t0 = time.monotonic()
        try:
            with psycopg.connect(**target.connect_kwargs(), autocommit=True) as conn:
                conn.execute("ANALYZE")
        except psycopg.Error as exc:
            raise BackupError(f"Restored, but ANALYZE failed: {_pg_message(exc)}") from None
        analyze_seconds = time.monotonic() - t0
    result = RestoreResult(
        name=backup.name,
        target=target.display(),
        size_bytes=backup.size,
        sha256=manifest["sha256"],
        download_seconds=round(download_seconds, 3),
        restore_seconds=round(restore_seconds, 3),
        analyze_seconds=round(analyze_seconds, 3),
    )
    logger.info(
        "restore succeeded",
        extra={
            "event": "restore_succeeded",
            "backup": result.name,
            **{k: v for k, v in result.__dict__.items() if k != "name"},
        },
    )
    return result


# --- status and metrics --------------------------------------------------------------------------


def backup_success_record(result: BackupResult) -> None:
    status = {
        "timestamp": time.time(),
        "name": result.name,
        "size_bytes": result.size_bytes,
        "duration_seconds": result.duration_seconds,
    }
    try:
        cache.set(LAST_SUCCESS_KEY, status, timeout=None)
    except Exception:
        logger.exception("could not record the backup status", extra={"event": "backup_status"})


def backup_failure_record(*, error: str) -> None:
    try:
        cache.set(LAST_FAILURE_KEY, {"timestamp": time.time(), "error": error[:500]}, timeout=None)
    except Exception:
        logger.exception("could not record the backup status", extra={"event": "backup_status"})


def backup_status_get() -> dict[str, Any]:
    """``{"last_success": {...} | None, "last_failure": {...} | None}`` from the shared cache."""
    found = cache.get_many([LAST_SUCCESS_KEY, LAST_FAILURE_KEY])
    return {
        "last_success": found.get(LAST_SUCCESS_KEY),
        "last_failure": found.get(LAST_FAILURE_KEY),
    }


class BackupStatusCollector(Collector):
    """Exports the last backup outcome recorded in the shared cache.

    The backup runs in a Celery worker, often in another container than the web processes that are
    scraped, so a gauge living in the worker's memory (or its multiprocess files) would not reach
    ``/metrics``. The cache is shared by every process; any process can export the value, and a
    restarted worker does not reset it. Nothing is exported before the first recorded backup (the
    alert covers that with ``absent()``); a cache error exports nothing rather than failing
    the scrape.
    """

    def describe(self) -> list[Any]:
        return []  # names are static but reading them must not touch the cache at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            status = backup_status_get()
        except Exception:
            logger.warning("backup status unavailable", extra={"event": "backup_status"})
            return
        success = status["last_success"]
        if success:
            yield GaugeMetricFamily(
                "chancetap_backup_last_success_timestamp_seconds",
                "Unix time of the last successful database backup.",
                value=float(success["timestamp"]),
            )
            yield GaugeMetricFamily(
                "chancetap_backup_last_size_bytes",
                "Size of the last successful database backup (compressed dump).",
                value=float(success["size_bytes"]),
            )
            yield GaugeMetricFamily(
                "chancetap_backup_last_duration_seconds",
                "How long the last successful database backup took.",
                value=float(success["duration_seconds"]),
            )
        failure = status["last_failure"]
        if failure:
            yield GaugeMetricFamily(
                "chancetap_backup_last_failure_timestamp_seconds",
                "Unix time of the last failed database backup.",
                value=float(failure["timestamp"]),
            )


_global_registered = False


def backup_metrics_register(registry: CollectorRegistry = REGISTRY) -> None:
    """Add a ``BackupStatusCollector`` to ``registry``.

    Call it on every fresh multiprocess registry that ``/metrics`` builds; for the process-wide
    ``REGISTRY`` it registers once however often it is called.
    """
    global _global_registered
    if registry is REGISTRY:
        if _global_registered:
            return
        _global_registered = True
    registry.register(BackupStatusCollector())


# --- scheduled run -------------------------------------------------------------------------------


def backup_run_scheduled(*, lock_seconds: int = 3600) -> BackupResult | None:
    """The hourly backup: skipped when not configured or when another run holds the lock."""
    if not getattr(settings, "BACKUP_S3_BUCKET", ""):
        logger.info("backups not configured; skipped", extra={"event": "backup_skipped"})
        return None
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, timeout=lock_seconds):
        logger.warning("another backup is running; skipped", extra={"event": "backup_skipped"})
        return None
    try:
        return backup_create()
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def backups_describe(backups: Iterable[BackupInfo]) -> list[dict[str, Any]]:
    return [
        {"name": b.name, "created_at": b.created_at.isoformat(), "size_bytes": b.size}
        for b in backups
    ]
