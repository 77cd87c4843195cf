"""Account use cases: Telegram login and user creation (SPEC §2)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import sentry_sdk
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from accounts.events import user_sockets_close_on_commit
from accounts.hooks import hooks
from accounts.initdata import (
    InitData,
    InitDataError,
    TelegramUser,
    bot_id_from_token,
    telegram_public_key,
    validate_init_data,
    validate_init_data_signature,
)
from accounts.models import StaffAction, User
from accounts.tokens import token_issue
from chancetap.core.errors import (
    ApplicationError,
    AuthenticationError,
    ForbiddenError,
    ServiceUnavailableError,
)
from chancetap.observability import metrics

logger = logging.getLogger(__name__)

USER_CREATE_RETRIES = 3
_TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
_PROFILE_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "photo_url",
    "language_code",
    "is_premium",
)


_BOT_UNKNOWN_FIELDS = ("photo_url", "language_code", "is_premium")


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str
    created: bool


def init_data_validate(*, raw: str) -> InitData:
    """Validate initData with our bot token (or, when enabled, the third-party signature)."""
    try:
        return validate_init_data(
            raw,
            bot_token=settings.TELEGRAM_BOT_TOKEN,
            max_age=settings.TELEGRAM_INITDATA_MAX_AGE,
        )
    except InitDataError as exc:
        hash_failed = exc.code in ("init_data_hash_invalid", "init_data_hash_missing")
        if hash_failed and settings.TELEGRAM_ACCEPT_SIGNATURE_ONLY:
            try:
                return validate_init_data_signature(
                    raw,
                    bot_id=bot_id_from_token(settings.TELEGRAM_BOT_TOKEN),
                    public_key=telegram_public_key(
                        test_environment=settings.TELEGRAM_TEST_ENVIRONMENT
                    ),
                    max_age=settings.TELEGRAM_INITDATA_MAX_AGE,
                )
            except InitDataError as sig_exc:
                exc = sig_exc
        metrics.auth_failures.labels(code=exc.code).inc()
        raise AuthenticationError(exc.code, exc.message) from exc


def _profile_from(tg_user: TelegramUser) -> dict[str, object]:
    return {
        "username": tg_user.username[:64],
        "first_name": tg_user.first_name[:128],
        "last_name": tg_user.last_name[:128],
        "photo_url": tg_user.photo_url[:512] if tg_user.photo_url.startswith("https://") else "",
        "language_code": tg_user.language_code[:16],
        "is_premium": tg_user.is_premium,
    }


@transaction.atomic(durable=True)
def _user_upsert(
    *, tg_user: TelegramUser, start_param: str, profile_complete: bool = True
) -> tuple[User, bool]:
    profile = _profile_from(tg_user)
    user = User.objects.select_for_update().filter(tg_id=tg_user.id).first()
    if user is not None:
        fields: tuple[str, ...] = _PROFILE_FIELDS
        if not profile_complete:
            # Bot updates carry no photo and may omit the language: blank means "unknown" there.
            fields = tuple(n for n in _PROFILE_FIELDS if n not in _BOT_UNKNOWN_FIELDS or profile[n])
        changed = [name for name in fields if getattr(user, name) != profile[name]]
        for name in changed:
            setattr(user, name, profile[name])
        if tg_user.allows_write_to_pm and user.bot_blocked_at is not None:
            # He opened the bot again (or let it write to him): notifications resume.
            user.bot_blocked_at = None
            changed.append("bot_blocked_at")
        if changed:
            user.save(update_fields=[*changed, "updated_at"])
        return user, False

    resolve = hooks.referrer_resolver
    referrer = resolve(start_param, tg_user.id) if resolve is not None else None
    try:
        with transaction.atomic():
            user = User(tg_id=tg_user.id, referrer=referrer, **profile)
            user.set_unusable_password()
            user.save(force_insert=True)
    except IntegrityError:
        # A concurrent first login created the user: theirs wins, ours is a plain login.
        return User.objects.get(tg_id=tg_user.id), False
    for hook in hooks.created:  # leaderboards: the referrer's count
        hook(user)
    if referrer is not None:
        metrics.referral_attaches_total.labels(via="start_param").inc()
        logger.info(
            "referral attached",
            extra={
                "event": "referral_attached",
                "via": "start_param",
                "tg_id": user.tg_id,
                "referrer_id": referrer.tg_id,
            },
        )
    logger.info("user created", extra={"event": "user_created", "tg_id": user.tg_id})
    return user, True


def user_get_or_create_from_telegram(
    *, tg_user: TelegramUser, start_param: str = "", profile_complete: bool = True
) -> tuple[User, bool]:
    """Create the user on first entry (or refresh their profile), retrying transient DB errors.

    ``profile_complete=False`` (bot updates): blank photo/language/premium mean "not sent" and
    never overwrite what the Mini App's initData stored.
    """
    last_error: Exception | None = None
    for attempt in range(USER_CREATE_RETRIES + 1):
        try:
            return _user_upsert(
                tg_user=tg_user, start_param=start_param, profile_complete=profile_complete
            )
        except _TRANSIENT_DB_ERRORS as exc:
            last_error = exc
            logger.warning(
                "transient database error on login",
                extra={"event": "login_db_retry", "attempt": attempt + 1, "tg_id": tg_user.id},
            )
            if attempt < USER_CREATE_RETRIES:
                time.sleep(0.05 * (2**attempt))
    metrics.user_create_failures.inc()
    sentry_sdk.capture_exception(last_error)
    logger.error(
        "login failed after retries",
        extra={"event": "login_failed", "tg_id": tg_user.id},
        exc_info=last_error,
    )
    raise ServiceUnavailableError(
        "service_busy", "We could not sign you in right now. Please try again in a moment."
    )


def telegram_login(*, init_data: str) -> LoginResult:
    """Validate initData, create or refresh the user, refuse blocked users, issue a JWT."""
    data = init_data_validate(raw=init_data)
    user, created = user_get_or_create_from_telegram(
        tg_user=data.user, start_param=data.start_param
    )
    if user.is_blocked:
        metrics.auth_failures.labels(code="user_blocked").inc()
        raise ForbiddenError("user_blocked", "Your account is blocked.")
    metrics.logins_total.labels(new_user="yes" if created else "no").inc()
    return LoginResult(user=user, token=token_issue(tg_id=user.tg_id), created=created)


@transaction.atomic(durable=True)
def user_set_blocked(
    *, user: User, blocked: bool, reason: str = "", staff: User | None = None
) -> User:
    """Block (or unblock) a player: hidden from (or back on) every board, his sockets closed and his
    seat settled as a cheater's; with ``staff``, audited in the back office's log."""
    user = User.objects.select_for_update().get(tg_id=user.tg_id)
    user.is_blocked = blocked
    user.blocked_reason = reason[:255] if blocked else ""
    user.save(update_fields=["is_blocked", "blocked_reason", "updated_at"])
    for hook in hooks.block_changed:  # leaderboards hide him; rooms settle his seat
        hook(user, blocked)
    if blocked:  # blocked users get nothing: their open sockets close on every process
        message = "Your account is blocked."
        user_sockets_close_on_commit(tg_id=user.tg_id, code="user_blocked", message=message)
    if staff is not None:
        staff_action_record_in_tx(
            staff=staff,
            kind=StaffAction.Kind.BLOCK if blocked else StaffAction.Kind.UNBLOCK,
            reason=reason or ("blocked" if blocked else "unblocked"),
            player_id=user.tg_id,
            subject=f"player {user.tg_id}",
        )
    logger.info(
        "user block changed",
        extra={"event": "user_blocked" if blocked else "user_unblocked", "tg_id": user.tg_id},
    )
    return user


# --- the back office's audit log (StaffAction) --------------------------------------------------


def staff_action_record_in_tx(
    *,
    staff: User | None,
    kind: str,
    reason: str,
    outcome: str = "done",
    player_id: int | None = None,
    subject: str = "",
    stars: int | None = None,
    detail: str = "",
) -> StaffAction:
    """One row of the audit log, in the caller's transaction (with the effect it records)."""
    return StaffAction.objects.create(
        staff=staff,
        kind=kind,
        player_id=player_id,
        subject=subject[:100],
        stars=stars,
        reason=reason[:500],
        outcome=outcome,
        detail=detail[:500],
    )


def staff_action_refused(**fields: Any) -> StaffAction:
    """A refused attempt is audited too: in a transaction of its own, after the attempt's rolled
    back."""
    with transaction.atomic(durable=True):
        return staff_action_record_in_tx(outcome=StaffAction.Outcome.REFUSED, **fields)


def staff_reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("reason_required", "Say why (it goes into the audit log).")
    return reason


def user_settings_update(*, user: User, notify_game_results: bool | None = None) -> User:
    """The player's own settings (today: whether the bot tells him his game results)."""
    if notify_game_results is not None and user.notify_game_results != notify_game_results:
        user.notify_game_results = notify_game_results
        user.save(update_fields=["notify_game_results", "updated_at"])
    return user
