from django.urls import path

from referrals.apis import ReferralsApi

urlpatterns = [
    path("referrals", ReferralsApi.as_view(), name="referrals"),
]
