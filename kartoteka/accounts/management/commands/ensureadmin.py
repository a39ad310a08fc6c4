import secrets

from django.core.management.base import BaseCommand, CommandParser

from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import User
from kartoteka.accounts.services import create_user


class Command(BaseCommand):
    help = "Make sure an admin user exists and print its credentials (used by `make run`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password-file", default="", help="Where to keep the generated password.")

    def handle(self, *args: object, **opts: object) -> None:
        from pathlib import Path

        username = str(opts["username"])
        path = Path(str(opts["password_file"])) if opts["password_file"] else None
        user = User.objects.filter(username=username).first()
        if user is not None and path and path.exists():
            password = path.read_text().strip()
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
        else:
            password = secrets.token_urlsafe(12)
            if user is None:
                user = create_user(username=username, role=Role.ADMIN, password=password, can_export=True,
                                   first_name="Администратор", check_password=False)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(password)
                path.chmod(0o600)
        self.stdout.write(f"Admin login: {username}  password: {password}")
