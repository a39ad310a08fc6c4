from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kartoteka.accounts.choices import Role
from kartoteka.accounts.services import create_user


class Command(BaseCommand):
    help = "Create a user with a role; teams are created as needed and a head heads the named teams."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", action="append", default=[], dest="teams")
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--can-export", action="store_true")

    def handle(self, *args: object, **opts: object) -> None:
        try:
            user = create_user(
                username=str(opts["username"]), role=str(opts["role"]), password=str(opts["password"]),
                teams=list(opts["teams"]), email=str(opts["email"]), can_export=bool(opts["can_export"]),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"created {user.username} ({user.role})")
