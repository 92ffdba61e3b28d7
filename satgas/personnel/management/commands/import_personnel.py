"""``manage.py import_personnel FILE``: import a personnel spreadsheet from the shell.

Issues go to stderr as ``baris N, kolom X: message``; the last stdout line is
``SUMMARY created=N updated=N unchanged=N invalid=N``. Exit code 0 when every
row is valid, 1 when some rows are invalid, 2 when the file cannot be read.
The rules are those of ``satgas.personnel.importing``.
"""

from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from satgas.accounts.models import User
from satgas.personnel.importing import ImportFileError, import_personnel_file

EXIT_INVALID_ROWS = 1
EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = "Import employees from a CSV or XLSX file (the template's columns)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (comma or semicolon) or XLSX file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count changes; write nothing.")
        parser.add_argument("--strict", action="store_true", help="Write nothing if any row is invalid.")
        parser.add_argument(
            "--create-accounts", action="store_true", help="Create a login for imported people with an email."
        )
        parser.add_argument("--actor", metavar="EMAIL", help="Record the changes as made by this user.")

    def handle(self, *args, file, dry_run, strict, create_accounts, actor, verbosity, **options):
        actor_user = None
        if actor:
            actor_user = User.objects.filter(email__iexact=actor.strip()).first()
            if actor_user is None:
                self._fail(_("No user has the email address %(email)s.") % {"email": actor})
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            self._fail(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc})
        try:
            result = import_personnel_file(
                content=content,
                filename=path.name,
                actor=actor_user,
                dry_run=dry_run,
                strict=strict,
                create_accounts=create_accounts,
                progress=self._progress if verbosity >= 2 else None,
            )
        except ImportFileError as exc:
            self._fail(str(exc))

        for issue in result.issues:
            where = f"baris {issue.row}, kolom {issue.column}" if issue.column else f"baris {issue.row}"
            self.stderr.write(f"{where}: {issue.message}")
        for warning in result.warnings:
            self.stderr.write(warning, style_func=self.style.WARNING)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        elif not result.applied:
            self.stdout.write(_("Strict mode: nothing was written because some rows are invalid."))
        self.stdout.write(
            f"SUMMARY created={result.created} updated={result.updated} "
            f"unchanged={result.unchanged} invalid={result.invalid}"
        )
        if result.invalid:
            raise SystemExit(EXIT_INVALID_ROWS)

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"{done}/{total}", style_func=lambda text: text)

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(EXIT_UNREADABLE)
