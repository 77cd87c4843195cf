"""The player's profile on the wire: ``/me``, the login answer, ``/referrals/attach`` and the
``hello`` frame of ``ws/me/`` render it here, once."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from chancetap.core.serializers import DecimalStringField
from chancetap.profile.selectors import UserProfile
from payments.serializers import TonWalletSerializer
from rooms.serializers import BonusRunSerializer


class UserStatsSerializer(serializers.Serializer[Any]):
    games_played = serializers.IntegerField()
    wins = serializers.IntegerField()
    stars_won = serializers.IntegerField()
    tons_all_time = DecimalStringField()
    tons_week = DecimalStringField()
    week_key = serializers.CharField()


class ReferralCardSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    link = serializers.CharField()
    referrals_count = serializers.IntegerField(source="stats.referrals_count")
    referrals_tons = DecimalStringField(source="stats.referrals_tons")


class ProfileSerializer(serializers.Serializer[UserProfile]):
    tg_id = serializers.IntegerField(source="user.tg_id")
    username = serializers.CharField(source="user.username")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    display_name = serializers.CharField(source="user.display_name")
    photo_url = serializers.CharField(source="user.photo_url")
    language_code = serializers.CharField(source="user.language_code")
    is_premium = serializers.BooleanField(source="user.is_premium")
    referrer_id = serializers.IntegerField(source="user.referrer_id", allow_null=True)
    created_at = serializers.DateTimeField(source="user.created_at")
    balance = serializers.IntegerField()
    debt = serializers.IntegerField(
        help_text="Stars owed from a refunded payment whose Stars were spent; credits "
        "settle it before they reach the balance."
    )
    ton_wallet = TonWalletSerializer(allow_null=True)
    has_ton_wallet = serializers.SerializerMethodField()
    stats = UserStatsSerializer()
    referral = ReferralCardSerializer()
    bonus_run = BonusRunSerializer(allow_null=True)
    notify_game_results = serializers.BooleanField(
        source="user.notify_game_results",
        help_text="The bot sends a message when a game I played ends (PATCH /me turns it off).",
    )
    bot_blocked = serializers.SerializerMethodField(
        help_text="Telegram refused the bot's last message (the player blocked the bot): no "
        "notifications until he opens the bot again."
    )
    dev_payments = serializers.BooleanField(
        help_text="Debug builds: the top-up sheet may finish a payment without Telegram."
    )

    def get_bot_blocked(self, profile: UserProfile) -> bool:
        return profile.user.bot_blocked_at is not None

    def get_has_ton_wallet(self, profile: UserProfile) -> bool:
        return profile.ton_wallet is not None
