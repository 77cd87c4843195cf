from django.urls import path

from leaderboards.apis import (
    DonationLeaderboardApi,
    DonationPreviewApi,
    GameLeaderboardApi,
    PresetListApi,
)

urlpatterns = [
    path(
        "leaderboards/donations/<str:board>",
        DonationLeaderboardApi.as_view(),
        name="leaderboards-donations",
    ),
    path(
        "leaderboards/games/<str:period>", GameLeaderboardApi.as_view(), name="leaderboards-games"
    ),
    path("payments/presets", PresetListApi.as_view(), name="payments-presets"),
    path("payments/presets/preview", DonationPreviewApi.as_view(), name="payments-presets-preview"),
]
