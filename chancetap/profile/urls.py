from django.urls import path

from chancetap.profile.apis import MeApi, ReferralAttachApi, TelegramLoginApi

urlpatterns = [
    path("auth/telegram", TelegramLoginApi.as_view(), name="auth-telegram"),
    path("me", MeApi.as_view(), name="me"),
    path("referrals/attach", ReferralAttachApi.as_view(), name="referrals-attach"),
]
