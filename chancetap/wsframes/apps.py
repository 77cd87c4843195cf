from django.apps import AppConfig


class WsFramesConfig(AppConfig):
    name = "chancetap.wsframes"
    label = "wsframes"
    verbose_name = "WebSocket frames (the ws_schema command)"
