from django.urls import path

from rooms.bonus_consumer import BonusConsumer
from rooms.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
    path("ws/bonus/", BonusConsumer.as_asgi()),
]
