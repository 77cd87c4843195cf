"""WebSocket URL routing for every app."""

from django.urls import path

from chancetap.profile.consumers import UserEventsConsumer
from rooms.routing import websocket_urlpatterns as rooms_ws

websocket_urlpatterns = [path("ws/me/", UserEventsConsumer.as_asgi()), *rooms_ws]
