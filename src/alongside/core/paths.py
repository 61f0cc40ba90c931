"""Where Alongside keeps its data: the SQLite database, uploads and the generated secret key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _checkout_root() -> Path | None:
    """The source checkout holding this package, when installed in editable mode."""
    candidate = PACKAGE_DIR.parent.parent
    if (candidate / "pyproject.toml").is_file() and (candidate / "src" / "alongside").is_dir():
        return candidate
    return None


def data_dir() -> Path:
    """``ALONGSIDE_DATA_DIR``, else ``var/`` beside the checkout, else the user's data folder."""
    configured = os.environ.get("ALONGSIDE_DATA_DIR")
    if configured:
        path = Path(configured).expanduser().resolve()
    else:
        root = _checkout_root()
        path = root / "var" if root else Path(platformdirs.user_data_dir("alongside"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """``ALONGSIDE_SECRET_KEY``, else a random key generated once and kept in the data folder.

    Generating the key on first run means a fresh install is never left with a well-known
    default key, and sessions survive restarts.
    """
    return os.environ.get("ALONGSIDE_SECRET_KEY") or _generated_once(directory, "secret_key")


def encryption_salts(directory: Path) -> list[str]:
    """``ALONGSIDE_ENCRYPTION_SALT`` (comma-separated, newest first), else one generated once.

    Encrypted fields derive their keys from the secret key and these salts; a list lets a
    deployment add a new salt at the front and still read what older ones encrypted.
    """
    listed = os.environ.get("ALONGSIDE_ENCRYPTION_SALT", "").split(",")
    configured = [part.strip() for part in listed if part.strip()]
    return configured or [_generated_once(directory, "encryption_salt")]


def _generated_once(directory: Path, name: str) -> str:
    key_file = directory / name
    if not key_file.exists():
        # Written aside, then linked into place: link() fails if another worker got there
        # first, so every process ends up reading the same, complete key.
        draft = directory / f".{name}.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()
