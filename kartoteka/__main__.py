"""The `kartoteka` console script: the project's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kartoteka.settings")
    from django.core.management import execute_from_command_line

    from kartoteka.audit.context import change_context

    # Everything a command changes is audited as coming from the command line.
    with change_context(source="cli"):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
