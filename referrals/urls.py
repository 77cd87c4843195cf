from django.urls import path

from referrals.apis import ReferralAttachApi, ReferralsApi

urlpatterns = [
    path("referrals", ReferralsApi.as_view(), name="referrals"),
    path("referrals/attach", ReferralAttachApi.as_view(), name="referrals-attach"),
]
