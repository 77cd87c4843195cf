from __future__ import annotations

from typing import Any
from urllib.parse import quote

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from chancetap.api.pagination import LimitOffsetPagination, PageQuerySerializer, PageSerializer
from chancetap.core.i18n import language_for
from referrals.selectors import referral_count, referral_list
from referrals.services import referral_code_for, referral_link

SHARE_TEXT = {
    "en": "Join me in Chance Tap — tap faster, win Stars!",
    "ru": "Играй со мной в Chance Tap — тапай быстрее и выигрывай звёзды!",
}


class ReferralSerializer(serializers.Serializer[Any]):
    tg_id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    photo_url = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReferralPageSerializer(PageSerializer):
    items = ReferralSerializer(many=True)
    total = serializers.IntegerField(help_text="All of the caller's referrals.")


class ReferralsApi(APIView):
    """My referral code, link, share text and a page of my referrals."""

    class OutputSerializer(serializers.Serializer[Any]):
        code = serializers.CharField()
        link = serializers.CharField()
        share_text = serializers.CharField()
        share_url = serializers.CharField()
        referrer_id = serializers.IntegerField(allow_null=True)
        referrals = ReferralPageSerializer()

    @extend_schema(parameters=[PageQuerySerializer], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        user = request_user(request)
        paginator = LimitOffsetPagination()
        referrals = paginator.paginate_queryset(referral_list(referrer=user), request, view=self)
        link = referral_link(tg_id=user.tg_id)
        lang = language_for(user.language_code)
        text = SHARE_TEXT[lang]
        share = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text)}"
        body = {
            "code": referral_code_for(tg_id=user.tg_id),
            "link": link,
            "share_text": text,
            "share_url": share,
            "referrer_id": user.referrer_id,
            "referrals": {
                **paginator.page(referrals),
                "total": referral_count(referrer=user),
            },
        }
        return Response(self.OutputSerializer(body).data)
