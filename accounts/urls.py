from django.urls import path

from accounts.apis import MeApi, TelegramLoginApi

urlpatterns = [
    path("auth/telegram", TelegramLoginApi.as_view(), name="auth-telegram"),
    path("me", MeApi.as_view(), name="me"),
]
