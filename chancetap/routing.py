"""WebSocket URL routing for every app."""

from accounts.routing import websocket_urlpatterns as accounts_ws
from rooms.routing import websocket_urlpatterns as rooms_ws

websocket_urlpatterns = [*accounts_ws, *rooms_ws]
