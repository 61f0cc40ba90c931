"""Periodic jobs: alert escalation, moderation statistics, and clearing old screening results.

They run every ``settings.PERIODIC_JOB_SECONDS`` from ``alongside worker`` (production) or
from a thread that ``alongside serve`` starts (the embedded default). Each job is safe to run
twice at once, so running a worker beside the embedded thread does no harm.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def forget_old_screenings() -> int:
    """Delete screening results past the retention period, unless an open item needs them."""
    from alongside.safety.models import QueueItem, Screening

    cutoff = timezone.now() - timedelta(days=settings.SAFETY_RETENTION_DAYS)
    still_needed = QueueItem.objects.filter(status=QueueItem.Status.OPEN).values("screening_id")
    deleted, _ = (
        Screening.objects.filter(created_at__lt=cutoff).exclude(pk__in=still_needed).delete()
    )
    return deleted


def run_periodic_jobs() -> None:
    """One round of every job; an error in one is logged and the others still run."""
    from alongside.safety.services.alerts import escalate_due_alerts

    jobs = [escalate_due_alerts, forget_old_screenings]
    try:
        from alongside.safety.services.statistics import statistics_refresh

        jobs.append(statistics_refresh)
    except ImportError:  # pragma: no cover - statistics arrive with the moderation tools
        pass
    from alongside.measures.reminders import run_measure_jobs

    jobs.append(run_measure_jobs)
    from alongside.support.services import escalate_unmatched_requests

    jobs.append(escalate_unmatched_requests)
    from alongside.support.session_jobs import session_reminders_send

    jobs.append(session_reminders_send)
    from alongside.support.tools_jobs import task_reminders_send, weekly_summaries_send

    jobs.extend([weekly_summaries_send, task_reminders_send])
    for job in jobs:
        try:
            job()
        except Exception:
            logger.exception("Periodic job %s failed", job.__name__)
        finally:
            close_old_connections()


def run_forever(stop: threading.Event) -> None:
    """Run the jobs until ``stop`` is set; used by the worker and by the embedded server."""
    while not stop.is_set():
        run_periodic_jobs()
        stop.wait(settings.PERIODIC_JOB_SECONDS)


def start_in_thread() -> threading.Event:
    """Start the jobs in a daemon thread (one-process embedded default); returns its stop."""
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="periodic-jobs", daemon=True).start()
    return stop
