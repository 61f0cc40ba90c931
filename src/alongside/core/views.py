"""Pages that belong to no single domain: home, Get help now, what we screen, health check."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from alongside.core import crisis


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("communities:feed")
    return render(request, "core/home.html")


@require_GET
def get_help(request: HttpRequest) -> HttpResponse:
    """Crisis lines; plain HTML with no script, so it works on any phone and any connection."""
    region = request.GET.get("region") or getattr(request.user, "region", "") or None
    return render(
        request,
        "core/get_help.html",
        {
            "deployment_contacts": crisis.deployment_contacts(),
            "regions": crisis.regions_for(region),
        },
    )


@require_GET
def about_screening(request: HttpRequest) -> HttpResponse:
    """What we screen, how, why, who sees it and for how long, with last months' figures.

    The figures come from the monthly table the periodic job fills, never from the action
    or alert tables at request time.
    """
    from alongside.safety.selectors.statistics import statistics_table

    return render(
        request,
        "core/about_screening.html",
        {
            "retention_days": settings.SAFETY_RETENTION_DAYS,
            "escalation_minutes": settings.SAFETY_ESCALATION_MINUTES,
            "statistics": statistics_table(),
        },
    )


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
