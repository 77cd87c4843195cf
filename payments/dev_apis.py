"""Development payments (debug builds only): finish a Stars top-up without Telegram.

``make run`` has no Telegram: ``createInvoiceLink`` and the payment sheet need a real bot. Here the
server plays Telegram's part for a top-up. It creates the payment as ``invoice_create`` does (with
no invoice link), runs the check the bot's ``pre_checkout_query`` handler runs, and then POSTs a
``successful_payment`` update, shaped as the Bot API sends it, to **its own** webhook
(``/telegram/webhook``), so the production crediting path (webhook → dispatcher →
``star_payment_apply``) does the work. The charge id is ``dev-<payment id>``: one per payment, so
repeating the request credits once, and never mistaken for a Telegram charge.

With ``DEBUG`` off (or ``DEV_PAYMENTS_ENABLED=0``) the endpoint answers 404 ``not_found`` and the
Mini App does not offer it (``dev_payments`` in ``/me``).

The view is ``async`` on purpose: it waits for a request to its own server, whose webhook needs the
database through ``sync_to_async``. A sync view would sit in a thread of the same executor while it
waits; the database work runs in two short ``sync_to_async`` hops before and after the post, and
nothing is held in between. The post goes to the socket address this request arrived on (the ASGI
``server`` of the connection, never a host named by the client or a proxy), without proxies.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers

from accounts.authentication import TelegramJWTAuthentication
from accounts.models import User
from chancetap.core.errors import ApplicationError, AuthenticationError, NotFoundError
from chancetap.core.exceptions import error_body
from chancetap.core.idempotency import idempotency_key_validate, idempotent_execute
from payments.models import Payment
from payments.selectors import dev_payments_available, payment_get_for_user
from payments.serializers import PaymentSerializer
from payments.services import CURRENCY, dev_charge_id, invoice_create, pre_checkout_check

logger = logging.getLogger(__name__)

# How long the webhook may take (it answers after handling the update: one database hop).
WEBHOOK_TIMEOUT_SECONDS = 30


def successful_payment_update(*, user: User, payment: Payment) -> dict[str, Any]:
    """The update Telegram sends when ``user`` has paid ``payment`` (Bot API ``Update``)."""
    sender: dict[str, Any] = {
        "id": user.tg_id,
        "is_bot": False,
        "first_name": user.first_name or "Player",
    }
    if user.language_code:
        sender["language_code"] = user.language_code
    return {
        "update_id": secrets.randbelow(2**31 - 1) + 1,
        "message": {
            "message_id": secrets.randbelow(2**31 - 1) + 1,
            "date": int(time.time()),
            "chat": {"id": user.tg_id, "type": "private", "first_name": sender["first_name"]},
            "from": sender,
            "successful_payment": {
                "currency": CURRENCY,
                "total_amount": payment.stars,
                "invoice_payload": str(payment.id),
                "telegram_payment_charge_id": dev_charge_id(payment.id),
                "provider_payment_charge_id": "",
            },
        },
    }


def _authenticated_user(request: HttpRequest) -> User:
    """The API's own authentication (JWT or initData; blocked users refused, RLS narrowed)."""
    try:
        result = TelegramJWTAuthentication().authenticate(request)
    except exceptions.APIException as exc:
        detail = exc.detail
        if isinstance(detail, dict):
            code, message = str(detail.get("code")), str(detail.get("message"))
        else:
            code, message = "not_authenticated", str(detail)
        raise ApplicationError(code, message, status=exc.status_code) from exc
    if result is None:
        raise AuthenticationError(
            "not_authenticated", "Authentication credentials were not provided."
        )
    return result[0]


class DevTopupCompleteApi(View):
    """``POST /api/v1/payments/dev/topups {"stars"}`` + ``Idempotency-Key``: a paid top-up."""

    class InputSerializer(serializers.Serializer[dict[str, int]]):
        stars = serializers.IntegerField(min_value=1, max_value=10_000_000)

    @method_decorator(csrf_exempt)  # bearer-token API, as the DRF views (no cookies)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return super().dispatch(request, *args, **kwargs)

    async def post(self, request: HttpRequest) -> JsonResponse:
        try:
            if not dev_payments_available():
                raise NotFoundError("not_found", "Nothing here.")
            user, payment = await sync_to_async(self._payment_prepare)(request)
            if payment.status == Payment.Status.CREATED:
                await _webhook_post(request, successful_payment_update(user=user, payment=payment))
            paid = await sync_to_async(payment_get_for_user)(
                user_id=user.tg_id, payment_id=payment.id
            )
        except ApplicationError as exc:
            return JsonResponse(error_body(exc.code, exc.message, exc.details), status=exc.status)
        if paid is None or paid.status != Payment.Status.PAID:
            return JsonResponse(
                error_body(
                    "dev_payment_not_credited",
                    "The webhook took the payment but did not credit it; see the server log.",
                ),
                status=502,
            )
        return JsonResponse(PaymentSerializer(paid).data)

    def _payment_prepare(self, request: HttpRequest) -> tuple[User, Payment]:
        """Sync hop: who asks, the payment (created once per Idempotency-Key), its pre-checkout."""
        user = _authenticated_user(request)
        key = idempotency_key_validate(request.headers.get("Idempotency-Key"))
        assert key is not None
        try:
            raw = json.loads(request.body or b"null")
        except ValueError as exc:
            raise ApplicationError("validation_error", "The body is not JSON.") from exc
        serializer = self.InputSerializer(data=raw if isinstance(raw, dict) else {})
        if not serializer.is_valid():
            raise ApplicationError(
                "validation_error", "The request is not valid.", details=serializer.errors
            )
        stars = int(serializer.validated_data["stars"])
        # What IdempotentApiMixin does for the DRF views (this one is a plain async view).
        result = idempotent_execute(
            user_id=user.tg_id,
            scope="payments.dev_invoice",
            key=key,
            body={"purpose": Payment.Purpose.TOPUP, "stars": stars, "preset_id": None},
            action=lambda: invoice_create(
                user=user,
                purpose=Payment.Purpose.TOPUP,
                stars=stars,
                preset_id=None,
                telegram_invoice=False,
            ),
            render=lambda payment: PaymentSerializer(payment).data,
            status=201,
        )
        payment = payment_get_for_user(user_id=user.tg_id, payment_id=uuid.UUID(result.body["id"]))
        if payment is None:
            raise NotFoundError("payment_not_found", "No such payment.")
        if payment.status == Payment.Status.CREATED:
            # What the bot answers Telegram's pre_checkout_query with (refusal: nothing is paid).
            pre_checkout_check(
                from_user_id=user.tg_id,
                payload=str(payment.id),
                currency=CURRENCY,
                total_amount=payment.stars,
            )
        return user, payment


def own_webhook_url(request: HttpRequest) -> str:
    """This server's webhook, at the socket address the request arrived on (ASGI ``server``)."""
    server = getattr(request, "scope", {}).get("server")
    if not server or server[1] is None:
        raise ApplicationError(
            "dev_payment_unavailable",
            "This server does not listen on a TCP port; development payments need one.",
            status=503,
        )
    host, port = str(server[0]), int(server[1])
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - a wildcard bind: the loopback reaches it
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{reverse('telegram-webhook')}"


async def _webhook_post(request: HttpRequest, update: dict[str, Any]) -> None:
    url = own_webhook_url(request)
    headers = {
        "X-Telegram-Bot-Api-Secret-Token": settings.TELEGRAM_WEBHOOK_SECRET,
        # A host this server already accepted (ALLOWED_HOSTS) for the request being answered.
        "Host": request.get_host(),
    }
    status = await webhook_transport(url, headers, update)
    if status != 200:
        logger.error(
            "development payment: webhook refused the update",
            extra={"event": "dev_payment_webhook_failed", "status": status},
        )
        raise ApplicationError(
            "dev_payment_failed", f"The webhook answered HTTP {status}.", status=502
        )


async def webhook_transport(url: str, headers: dict[str, str], update: dict[str, Any]) -> int:
    """POST the update; the HTTP status. (aiohttp comes with aiogram; no proxies: trust_env off.)"""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_SECONDS)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout, trust_env=False) as session,
            session.post(url, json=update, headers=headers) as response,
        ):
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        logger.error(
            "development payment: webhook unreachable",
            extra={"event": "dev_payment_webhook_failed", "error": str(exc)},
        )
        raise ApplicationError(
            "dev_payment_failed", "This server's webhook could not be reached.", status=502
        ) from exc
