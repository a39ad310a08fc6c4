from django.core.management.base import BaseCommand, CommandError, CommandParser

from kartoteka.accounts.models import User
from kartoteka.accounts.services import issue_token


class Command(BaseCommand):
    help = "Print a new API token for USERNAME on stdout (and nothing else)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **opts: object) -> None:
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {opts['username']!r}")
        self.stdout.write(issue_token(user))
