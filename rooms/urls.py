from django.urls import path

from rooms.apis import (
    BonusApi,
    BonusCancelApi,
    BonusStartApi,
    HeroCreateApi,
    HeroJoinApi,
    RoomCurrentApi,
    RoomDetailApi,
    RoomHistoryApi,
    RoomLeaveApi,
    RoomStartApi,
    RulesApi,
    TierJoinApi,
    TierListApi,
)

urlpatterns = [
    path("rules", RulesApi.as_view(), name="rules"),
    path("bonus", BonusApi.as_view(), name="bonus"),
    path("bonus/start", BonusStartApi.as_view(), name="bonus-start"),
    path("bonus/cancel", BonusCancelApi.as_view(), name="bonus-cancel"),
    path("rooms/tiers", TierListApi.as_view(), name="rooms-tiers"),
    path("rooms/tiers/<int:tier_id>/join", TierJoinApi.as_view(), name="rooms-tier-join"),
    path("rooms/hero", HeroCreateApi.as_view(), name="rooms-hero-create"),
    path("rooms/hero/join", HeroJoinApi.as_view(), name="rooms-hero-join"),
    path("rooms/current", RoomCurrentApi.as_view(), name="rooms-current"),
    path("rooms/history", RoomHistoryApi.as_view(), name="rooms-history"),
    path("rooms/<int:room_id>", RoomDetailApi.as_view(), name="rooms-detail"),
    path("rooms/<int:room_id>/leave", RoomLeaveApi.as_view(), name="rooms-leave"),
    path("rooms/<int:room_id>/start", RoomStartApi.as_view(), name="rooms-start"),
]
