#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancetap.settings")
    from django.core.management import execute_from_command_line

    from chancetap import rls

    # Row-level security: commands (migrate, ledger_check, runbot, shell…) are trusted server code.
    rls.process_default_set(rls.SERVICE)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
