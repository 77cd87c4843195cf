"""Payment bodies on the wire: the REST API and the ``ws/me/`` events (``payments.events``) render
them here, once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from chancetap.core.serializers import DecimalStringField
from payments.models import LedgerEntry, Payment, TonTopup, TonWallet
from payments.ton import comment_payload_boc


class PaymentSerializer(serializers.Serializer[Any]):  # a Payment (or a list: many=True)
    id = serializers.UUIDField()
    purpose = serializers.ChoiceField(choices=Payment.Purpose.choices)
    stars = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Payment.Status.choices)
    invoice_link = serializers.CharField(help_text="Empty until Telegram gave the link.")
    preset_id = serializers.IntegerField(allow_null=True)
    tons = DecimalStringField(allow_null=True, help_text="Tons counted (donations, once paid).")
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)


class TonWalletSerializer(serializers.Serializer[TonWallet]):
    address = serializers.CharField(source="friendly_address")
    raw_address = serializers.CharField(source="address")
    wallet_version = serializers.CharField()
    network = serializers.CharField()
    linked_at = serializers.DateTimeField()


class TonTopupSerializer(serializers.Serializer[TonTopup]):
    id = serializers.UUIDField()
    stars = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TonTopup.Status.choices)
    address = serializers.SerializerMethodField(help_text="Send the TON here.")
    amount_nano = serializers.CharField(help_text="Nanotons to send (a decimal string).")
    comment = serializers.CharField()
    payload = serializers.SerializerMethodField(help_text="TON Connect message payload (BoC).")
    expires_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)

    def get_address(self, topup: TonTopup) -> str:
        return str(settings.TON_RECEIVER_ADDRESS)

    def get_payload(self, topup: TonTopup) -> str:
        return comment_payload_boc(topup.comment)


class LedgerEntrySerializer(serializers.Serializer[Any]):  # LedgerEntry rows
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=LedgerEntry.Kind.choices)
    amount = serializers.IntegerField(help_text="Signed Stars: credits > 0, debits < 0.")
    balance_after = serializers.IntegerField()
    cause_type = serializers.CharField(
        help_text="What caused it: `room`, `bonus_run`, `star_charge` (a Stars payment), "
        "`ton_topup` / `ton_transfer` (TON), `star_debt`, `staff_action`; empty when nothing."
    )
    cause_id = serializers.CharField(
        help_text="Its id (a room's id for `room`); empty when nothing."
    )
    memo = serializers.CharField(help_text="A note written with the entry; often empty.")
    created_at = serializers.DateTimeField()


class StarChargeSerializer(serializers.Serializer[Any]):  # StarCharge rows
    charge_id = serializers.CharField(
        source="telegram_payment_charge_id", help_text="Quote it to support (/paysupport)."
    )
    purpose = serializers.ChoiceField(choices=Payment.Purpose.choices)
    stars = serializers.IntegerField()
    tons = DecimalStringField(help_text="Donations: the TON they counted on the boards.")
    paid_at = serializers.DateTimeField(source="applied_at")
    refunded_at = serializers.DateTimeField(allow_null=True)
