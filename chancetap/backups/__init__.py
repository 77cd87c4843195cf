"""Logical backups to S3-compatible storage and the measured restore drill
(backup_db, restore_db)."""
