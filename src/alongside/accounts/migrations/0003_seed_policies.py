"""Publish version 1 of the community agreement and the privacy notice.

The texts live in ``accounts/policies/*-v1.md``; those files are never edited afterwards
(a new version is published with ``manage.py publish_policy``), so this migration gives every
new installation the same version 1.
"""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"

SEEDS = [
    ("agreement", "agreement-v1.md", "Community agreement"),
    ("privacy", "privacy-v1.md", "Privacy notice"),
]


def split_title(text, default):
    """Use a leading '# Title' line as the title, and keep the rest as the body."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        return lines[0][2:].strip(), "\n".join(lines[1:]).strip() + "\n"
    return default, text.strip() + "\n"


def seed(apps, schema_editor):
    PolicyDocument = apps.get_model("accounts", "PolicyDocument")
    for kind, filename, default_title in SEEDS:
        if PolicyDocument.objects.filter(kind=kind).exists():
            continue
        title, body = split_title((POLICY_DIR / filename).read_text(encoding="utf-8"), default_title)
        PolicyDocument.objects.create(
            kind=kind,
            version="1",
            title=title,
            body=body,
            summary_of_changes="",
            published_at=timezone.now(),
        )


def unseed(apps, schema_editor):
    PolicyDocument = apps.get_model("accounts", "PolicyDocument")
    PolicyAcceptance = apps.get_model("accounts", "PolicyAcceptance")
    PolicyAcceptance.objects.filter(document__version="1").delete()
    PolicyDocument.objects.filter(version="1").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_change"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
