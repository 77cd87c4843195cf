from __future__ import annotations

from django.contrib import admin
from django.urls import path

from chancetap.backoffice import views

urlpatterns = [
    path(
        "statistics/",
        admin.site.admin_view(views.statistics_page),
        name="backoffice-statistics",
    ),
    path("players/", admin.site.admin_view(views.player_search), name="backoffice-players"),
    path(
        "players/<int:tg_id>/",
        admin.site.admin_view(views.player_page),
        name="backoffice-player",
    ),
]
