"""SQLite for the embedded default, with writers queuing on a file lock.

SQLite lets one writer in at a time. When several worker processes write at once, the others
wait in SQLite's busy handler, which sleeps and retries on a growing schedule (1, 2, 5 … 100
ms): a write can wait 100 ms for a lock that was free after 2. Here each write transaction
(``BEGIN IMMEDIATE``, set in settings) first takes an exclusive ``flock`` on a file beside the
database, and the kernel hands the lock to the next writer the moment it is released.
Readers never take it: WAL mode lets them read alongside the writer. A process that dies
holding the lock loses it with its file descriptors, so nothing stays locked.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock_fd: int | None = None
    _holds_write_lock = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            self._write_lock_fd = os.open(
                f"{self.settings_dict['NAME']}-writelock", os.O_RDWR | os.O_CREAT, 0o600
            )
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        if self._write_lock_fd is not None and not self._holds_write_lock:
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_EX)
            self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _set_autocommit(self, autocommit: bool) -> None:
        super()._set_autocommit(autocommit)  # type: ignore[misc]
        if autocommit:
            # The outermost atomic block has committed or rolled back.
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
            if self._write_lock_fd is not None:
                os.close(self._write_lock_fd)
                self._write_lock_fd = None

    def _release_write_lock(self) -> None:
        if self._holds_write_lock and self._write_lock_fd is not None:
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)
        self._holds_write_lock = False
