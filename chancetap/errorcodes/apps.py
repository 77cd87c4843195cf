from django.apps import AppConfig


class ErrorCodesConfig(AppConfig):
    name = "chancetap.errorcodes"
    label = "errorcodes"
    verbose_name = "Error codes (the error_codes command)"
