"""Two randomisations at the same moment never take the same slot (real threads).

Runs where the test database allows concurrent connections (PostgreSQL). The in-memory SQLite
test database cannot: its shared cache answers a second writer "table is locked" instead of
queueing it. On SQLite the guarantee comes from the backend taking the write lock at BEGIN
(tested in ``alongside.core.tests.test_sqlite_backend``), and ``test_allocation`` checks the
lock is requested and a used slot is never handed out again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from alongside.accounts.models import User
from alongside.evaluation.models import Allocation, Study
from alongside.evaluation.studies import participant_randomise
from alongside.evaluation.tests.test_studies_support import (
    build_programme,
    build_study,
    consent,
    give_score,
)

MakeUser = Callable[..., User]
THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_randomisations_take_distinct_consecutive_slots(make_user: MakeUser) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot run concurrent writers")
    coordinator = make_user("coordinator_ash", role="administrator")
    study = build_study(coordinator, build_programme(coordinator, sites=("North",)), factors=())
    people = []
    for index in range(THREADS):
        person = make_user(f"participant{index}")
        consent(person, study)
        give_score(person, "gad7", 9)
        people.append(person)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def randomise(person: User) -> None:
        try:
            barrier.wait()
            participant_randomise(actor=person, member=person, study=Study.objects.get(pk=study.pk))
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=randomise, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    positions = sorted(
        Allocation.objects.filter(study=study).values_list("slot__position", flat=True)
    )
    assert positions == list(range(1, THREADS + 1))
