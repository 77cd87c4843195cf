"""Abuse limits: request and WebSocket limits, throttles keyed on the real client address and
the admin login lockout."""
