"""Publish a new version of the community agreement or the privacy notice.

    alongside manage publish_policy --kind agreement --version 2 --file agreement-v2.md
        --summary "Clearer words about content warnings."   (all on one line)

A first line "# Title" in the file becomes the title. Write each paragraph on one line: line
breaks inside a paragraph are kept when shown. Every member is asked to accept the new
version on their next visit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.accounts.models import PolicyDocument
from alongside.accounts.services import policy_publish


def split_title(text: str) -> tuple[str, str]:
    """A leading "# Title" line and the rest, or no title and the whole text."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        return lines[0][2:].strip(), "\n".join(lines[1:]).strip() + "\n"
    return "", text.strip() + "\n"


class Command(BaseCommand):
    help = "Publish a new version of a policy; members are asked to accept it on their next visit."

    def add_base_argument(self, parser: CommandParser, *args: Any, **kwargs: Any) -> None:
        # Here --version names the policy version, not the program's.
        if "--version" in args:
            return
        super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=PolicyDocument.Kind.values)
        parser.add_argument("--version", required=True, dest="policy_version")
        parser.add_argument("--file", required=True, type=Path, help="the text, in markdown")
        parser.add_argument("--summary", default="", help="what changed, shown to members")
        parser.add_argument("--title", default="", help="defaults to the file's '# ' heading")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        heading, body = split_title(text)
        try:
            document = policy_publish(
                kind=options["kind"],
                version=options["policy_version"],
                title=options["title"] or heading,
                body=body,
                summary_of_changes=options["summary"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Published {document}. Members will be asked to accept it.")
        )
