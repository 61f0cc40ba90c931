"""The embedded SQLite backend: writers queue on a file lock; readers never wait for it."""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from alongside.core.sqlite.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """These tests open their own file databases, outside the test database."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield


def file_database(path: Path, alias: str) -> DatabaseWrapper:
    options = {**settings.DATABASES["default"], "NAME": str(path)}
    options.pop("TEST", None)
    wrapper = DatabaseWrapper({**options, "TEST": {}, "TIME_ZONE": None}, alias=alias)
    return wrapper


def write_lock_is_held(database: Path) -> bool:
    with open(f"{database}-writelock", "rb") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def prepare(path: Path) -> None:
    connection = file_database(path, "setup")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, writer TEXT)")
    connection.close()


def test_second_writer_waits_for_the_first_to_commit(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    prepare(database)
    first = file_database(database, "first")
    order: list[str] = []
    first.ensure_connection()
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO entry (writer) VALUES ('first')")

    def second_writer() -> None:
        second = file_database(database, "second")  # connections belong to their thread
        second.ensure_connection()
        second.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        order.append("second began")
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO entry (writer) VALUES ('second')")
        second.commit()
        second.set_autocommit(True)
        second.close()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert order == []  # still queued on the lock
    assert write_lock_is_held(database)
    order.append("first committed")
    first.commit()
    first.set_autocommit(True)
    thread.join(timeout=5)
    assert order == ["first committed", "second began"]
    assert not write_lock_is_held(database)
    with first.cursor() as cursor:
        cursor.execute("SELECT writer FROM entry ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == ["first", "second"]
    first.close()


def test_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    prepare(database)
    writer, reader = file_database(database, "writer"), file_database(database, "reader")
    writer.ensure_connection()
    writer.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with writer.cursor() as cursor:
        cursor.execute("INSERT INTO entry (writer) VALUES ('writer')")
    with reader.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM entry")
        assert cursor.fetchone()[0] == 0  # WAL: the reader sees the last commit at once
    writer.rollback()
    writer.set_autocommit(True)
    writer.close()
    reader.close()


def test_closing_releases_the_lock(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    prepare(database)
    first = file_database(database, "first")
    first.ensure_connection()
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    first.close()  # e.g. a worker ending mid-transaction
    done = threading.Event()

    def write() -> None:
        second = file_database(database, "second")
        second.ensure_connection()
        second.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        second.commit()
        second.set_autocommit(True)
        second.close()
        done.set()

    threading.Thread(target=write).start()
    assert done.wait(timeout=5)
