"""Process runtime: Redis clients that fail fast, the embedded Redis of make run and
garbage-collector tuning."""
