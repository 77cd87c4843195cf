"""Calling Telegram from our own code: the Bot API client (aiogram, faked at the HTTP level in
tests)."""
