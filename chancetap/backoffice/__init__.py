"""The back office above the apps: the player page for support and the statistics (issue #14).
It reads every app and moves money only through their services."""
