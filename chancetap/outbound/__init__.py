"""Calls to HTTP services we do not run (the TON API, the rate source), under one policy."""
