"""Room bodies on the wire: the REST API and the room/bonus sockets render them here, once."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rooms.models import Room
from rooms.selectors import hero_join_link, room_players


class RoomPlayerSerializer(serializers.Serializer[Any]):  # Seat rows
    tg_id = serializers.IntegerField(source="user_id")
    seat = serializers.IntegerField(source="number")
    first_name = serializers.CharField(source="user.first_name")
    username = serializers.CharField(source="user.username")
    photo_url = serializers.CharField(source="user.photo_url")
    taps = serializers.IntegerField()
    cheater = serializers.BooleanField()


# Reused for every room rendered (a room's sockets are told its state on every change): building
# a serializer deep-copies its fields; to_representation keeps no state between calls.
_PLAYER = RoomPlayerSerializer()


class RoomSerializer(serializers.Serializer[Room]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Room.Kind.choices)
    phase = serializers.ChoiceField(choices=Room.Phase.choices)
    fee = serializers.IntegerField()
    tier_id = serializers.IntegerField(allow_null=True)
    key = serializers.CharField(allow_null=True, help_text="Hero rooms: the key to share.")
    join_link = serializers.SerializerMethodField(
        help_text="Hero rooms: a t.me link that opens the Mini App straight into joining "
        "(startapp=hero_<key>); null elsewhere."
    )
    organizer_id = serializers.IntegerField(allow_null=True)
    seated = serializers.IntegerField()
    max_players = serializers.IntegerField()
    pool = serializers.SerializerMethodField(help_text="Fees paid by the players seated now.")
    deadline_at = serializers.DateTimeField()
    countdown_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    winner_id = serializers.IntegerField(allow_null=True)
    prize = serializers.IntegerField()
    players = serializers.SerializerMethodField()

    def get_join_link(self, room: Room) -> str | None:
        return hero_join_link(room.key) if room.key else None

    def get_pool(self, room: Room) -> int:
        return room.fee * room.seated

    @extend_schema_field(RoomPlayerSerializer(many=True))
    def get_players(self, room: Room) -> list[dict[str, Any]]:
        return [_PLAYER.to_representation(player) for player in room_players(room=room)]


class RoomRulesSerializer(serializers.Serializer[Any]):
    target_taps = serializers.IntegerField(
        allow_null=True, help_text="Hero rooms: the first to reach it wins; null elsewhere."
    )
    game_seconds = serializers.IntegerField()
    countdown_seconds = serializers.IntegerField()
    max_packet = serializers.IntegerField()


class RoomStateSerializer(serializers.Serializer[Any]):
    """What a room's sockets are told about it (``rooms.snapshots.room_snapshot``)."""

    room = RoomSerializer()
    rules = RoomRulesSerializer()


class BonusRunSerializer(serializers.Serializer[Any]):
    """A ``rooms.bonus.BonusRunProgress``."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    taps = serializers.IntegerField()
    target_taps = serializers.IntegerField()
    reward_stars = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
