from django.core.management.base import BaseCommand, CommandError, CommandParser

from kartoteka.accounts.models import User
from kartoteka.accounts.services import remove_two_factor


class Command(BaseCommand):
    help = ("Remove USERNAME's authenticator app and recovery codes (lost phone and codes); if two-factor login is "
            "required for them, they set it up again at the next login.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **opts: object) -> None:
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no user {opts['username']!r}")
        remove_two_factor(user)
        self.stdout.write(f"two-factor login reset for {user.username}")
