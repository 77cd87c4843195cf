"""Every error code the server can send a player, for ``manage.py error_codes``.

``chancetap.errorcodes.catalogue`` reads the source of every first-party package (it imports
none of the apps) and collects the codes of ``ApplicationError`` and its kin, of the WebSocket
error frames and of the API exception handler; docs/error-codes.json is the result, from which
the Mini App's tests demand a translation of every code (frontend/web/src/i18n). Codes only staff,
the bot or the operators see are listed, with their reason, in ``NOT_FOR_PLAYERS``. This package
sits above the apps, like ``chancetap.wsframes``: no app imports it.
"""
