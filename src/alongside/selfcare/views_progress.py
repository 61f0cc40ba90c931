"""Progress pages: my charts and tables, the summary to take to an appointment, and sharing.

Thin views: ``sharing.progress_for_viewer`` decides whose progress a person may see (the
member's own, or a member who shares with this peer supporter; anyone else gets 404),
``progress`` shapes the numbers, ``charts`` draws them and ``summary`` builds the page to hand
over. Charts are separate SVG responses embedded with ``<img>``, each with a table beside it,
so the pages work without JavaScript and under the site's strict Content Security Policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.selfcare import charts, sharing
from alongside.selfcare.progress import (
    GoalProgress,
    MeasureProgress,
    MemberProgress,
    goal_sentence,
    measure_sentence,
    mood_sentence,
)
from alongside.selfcare.summary import summary_contents, summary_measure_choices, summary_pdf
from alongside.selfcare.summary_forms import ShareForm, SummaryForm

# An SVG drawn by matplotlib styles itself with style="" attributes. Loaded through <img> it
# cannot run script or fetch anything; opened on its own it gets this policy, which allows
# its inline styles and nothing else.
IMAGE_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
}
PRIVATE = "private, no-store"


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _member_by_handle(handle: str) -> User:
    member = User.objects.filter(handle__iexact=handle, is_active=True).first()
    if member is None:
        raise Http404
    return member


@dataclass(frozen=True)
class MeasureCard:
    progress: MeasureProgress
    chart_url: str
    sentence: str


@dataclass(frozen=True)
class GoalCard:
    goal: GoalProgress
    chart_url: str
    sentence: str


def _chart_url(name: str, handle: str | None, **kwargs: object) -> str:
    if handle is None:
        return reverse(f"progress:chart_{name}", kwargs=kwargs)
    return reverse(f"progress:member_chart_{name}", kwargs={"handle": handle, **kwargs})


def _page_context(progress: MemberProgress, *, own: bool) -> dict[str, object]:
    """Cards for each chart, with the URLs of the charts for this viewer."""
    handle = None if own else progress.member.handle
    mood = progress.mood
    return {
        "progress": progress,
        "own": own,
        "measure_cards": [
            MeasureCard(
                each,
                _chart_url("measure", handle, key=each.key) if each.points else "",
                measure_sentence(each),
            )
            for each in progress.measures
        ],
        "goal_cards": [
            GoalCard(
                goal,
                _chart_url("goal", handle, goal_id=goal.goal_id) if goal.ratings else "",
                goal_sentence(goal),
            )
            for goal in progress.goals
        ],
        "mood": mood,
        "mood_chart_url": _chart_url("mood", handle) if mood and not mood.empty else "",
        "mood_sentence": mood_sentence(mood, own=own) if mood else "",
    }


# --- My progress ----------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    progress = sharing.progress_for_viewer(viewer=me, member=me)
    context = _page_context(progress, own=True)
    context.update(
        shares=list(sharing.shares_for(me)),
        offered=sharing.supporters_offered(me),
        share_form=ShareForm(),
    )
    return render(request, "selfcare/progress/index.html", context)


def _svg(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="image/svg+xml")
    response["Cache-Control"] = PRIVATE
    return response


def _chart(request: HttpRequest, *, handle: str | None, part: str) -> MemberProgress:
    me = _me(request)
    member = me if handle is None else _member_by_handle(handle)
    return sharing.progress_for_viewer(viewer=me, member=member, part=part)


@login_required
@require_GET
@csp(IMAGE_CSP)  # type: ignore[arg-type]  # django-csp types views as taking only request
def chart_measure(request: HttpRequest, key: str, handle: str | None = None) -> HttpResponse:
    progress = _chart(request, handle=handle, part=f"chart:measure:{key}")
    measure = progress.measure(key)
    if measure is None or not measure.points:
        raise Http404
    return _svg(charts.measure_chart_svg(measure))


@login_required
@require_GET
@csp(IMAGE_CSP)
def chart_mood(request: HttpRequest, handle: str | None = None) -> HttpResponse:
    progress = _chart(request, handle=handle, part="chart:mood")
    if progress.mood is None or progress.mood.empty:
        raise Http404
    return _svg(charts.mood_chart_svg(progress.mood))


@login_required
@require_GET
@csp(IMAGE_CSP)  # type: ignore[arg-type]
def chart_goal(request: HttpRequest, goal_id: int, handle: str | None = None) -> HttpResponse:
    progress = _chart(request, handle=handle, part=f"chart:goal:{goal_id}")
    goal = progress.goal(goal_id)
    if goal is None or not goal.ratings:
        raise Http404
    return _svg(charts.goal_chart_svg(goal))


# --- Sharing --------------------------------------------------------------------------------


@login_required
@require_POST
def share_grant(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = ShareForm(request.POST)
    if form.is_valid():
        supporter = sharing.supporter_by_handle(form.cleaned_data["handle"])
        if supporter is None:
            form.add_error("handle", _("No one has that handle."))
        else:
            try:
                sharing.share_grant(member=me, supporter=supporter)
            except ValidationError as error:
                form.add_error("handle", error)
            else:
                messages.success(
                    request,
                    _("%(handle)s can now see your progress. You can stop this at any time.")
                    % {"handle": supporter.handle},
                )
                return redirect(f"{reverse('progress:index')}#sharing")
    progress = sharing.progress_for_viewer(viewer=me, member=me)
    context = _page_context(progress, own=True)
    context.update(
        shares=list(sharing.shares_for(me)),
        offered=sharing.supporters_offered(me),
        share_form=form,
    )
    return render(request, "selfcare/progress/index.html", context, status=400)


@login_required
@require_POST
def share_withdraw(request: HttpRequest, share_id: int) -> HttpResponse:
    me = _me(request)
    share = sharing.share_for_member(member=me, share_id=share_id)
    sharing.share_withdraw(member=me, share=share)
    messages.success(
        request,
        _("%(handle)s can no longer see your progress.") % {"handle": share.supporter.handle},
    )
    return redirect(f"{reverse('progress:index')}#sharing")


@login_required
@require_GET
def shared(request: HttpRequest) -> HttpResponse:
    """The members who share their progress with me (a peer supporter)."""
    me = _me(request)
    return render(
        request,
        "selfcare/progress/shared.html",
        {
            "shares": list(sharing.shares_received(me)),
            "is_supporter": sharing.is_peer_supporter(me),
        },
    )


@login_required
@require_GET
def member(request: HttpRequest, handle: str) -> HttpResponse:
    """A member's progress, read-only, for a supporter they share it with."""
    me = _me(request)
    person = _member_by_handle(handle)
    if person.pk == me.pk:
        return redirect("progress:index")
    progress = sharing.progress_for_viewer(viewer=me, member=person)
    return render(request, "selfcare/progress/member.html", _page_context(progress, own=False))


# --- Summary --------------------------------------------------------------------------------


def _summary_form(request: HttpRequest) -> SummaryForm:
    choices = summary_measure_choices(_me(request))
    if request.method == "POST":
        return SummaryForm(request.POST, measure_choices=choices)
    return SummaryForm(measure_choices=choices)


def _summary_page(request: HttpRequest, form: SummaryForm, status: int = 200) -> HttpResponse:
    return render(request, "selfcare/progress/summary.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def summary(request: HttpRequest) -> HttpResponse:
    return _summary_page(request, _summary_form(request))


@login_required
@require_POST
def summary_pdf_download(request: HttpRequest) -> HttpResponse:
    form = _summary_form(request)
    if not form.is_valid():
        return _summary_page(request, form, status=400)
    contents = summary_contents(member=_me(request), choices=form.choices())
    response = HttpResponse(summary_pdf(contents), content_type="application/pdf")
    filename = f"alongside-summary-{contents.made_on:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = PRIVATE
    return response


@login_required
@require_POST
def summary_print(request: HttpRequest) -> HttpResponse:
    form = _summary_form(request)
    if not form.is_valid():
        return _summary_page(request, form, status=400)
    contents = summary_contents(member=_me(request), choices=form.choices())
    response = render(request, "selfcare/progress/print.html", {"summary": contents})
    response["Cache-Control"] = PRIVATE
    return response
