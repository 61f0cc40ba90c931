"""Members' own safety pages: reporting, their reports, blocking, and their protections.

Thin: an access helper or selector fetches what the member asked for, a service makes the
change, and the view picks the page, the message and where to go next. Every form works
without JavaScript, and a refused form comes back with what the member typed.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts import selectors as accounts_selectors
from alongside.accounts.models import User
from alongside.communities import links
from alongside.communities import selectors as communities_selectors
from alongside.communities.models import Post
from alongside.core.form_errors import keep_service_errors
from alongside.safety.member_forms import BreakForm, ProtectionForm, ReportForm
from alongside.safety.models import Report
from alongside.safety.selectors import protection as protection_selectors
from alongside.safety.selectors.reports import my_reports
from alongside.safety.selectors.standing import paused_until
from alongside.safety.services import protection, reports


def _member(request: HttpRequest) -> User:
    """The signed-in member (every view here requires one)."""
    return cast(User, request.user)


def _post_url(post: Post) -> str:
    thread_url = links.thread_url(post.thread.group.slug, post.thread_id)
    return f"{thread_url}?post={post.pk}#post-{post.pk}"


def _other_member(handle: str) -> User:
    member = accounts_selectors.member_get(handle=handle)
    if member is None:
        raise Http404
    return member


def _next_or(request: HttpRequest, default: str) -> str:
    """The posted or given ``next`` if it points to this site, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- Reports --------------------------------------------------------------------------------


def _thanks(request: HttpRequest, report: Report) -> None:
    messages.success(
        request,
        _(
            "Thank you for telling us. A moderator will look at it, and you'll find what "
            "happened under “My reports”. Nobody is told who reported them."
        ),
    )
    if report.reason == Report.Reason.AT_RISK:
        messages.info(
            request,
            _(
                "If someone is in danger right now, please contact the emergency services or "
                "a crisis line: see “Get help now”."
            ),
        )


def _report_page(
    request: HttpRequest, form: ReportForm, *, post: Post | None, member: User, back: str
) -> HttpResponse:
    return render(
        request,
        "safety/member/report_form.html",
        {"form": form, "post": post, "reported": member, "back": back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_post(request: HttpRequest, post_id: int) -> HttpResponse:
    """Report a post (an opening post or a reply) to the moderators."""
    user = _member(request)
    post = communities_selectors.access_post_by_id(user, post_id)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            report = reports.report_create(reporter=user, post=post, **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            _thanks(request, report)
            return redirect(_post_url(post))
    return _report_page(request, form, post=post, member=post.author, back=_post_url(post))


@login_required
@require_http_methods(["GET", "POST"])
def report_member(request: HttpRequest, handle: str) -> HttpResponse:
    """Report a member (from their profile) to the moderators."""
    user = _member(request)
    member = _other_member(handle)
    profile = links.profile_url(member.handle)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            report = reports.report_create(reporter=user, member=member, **form.cleaned_data)
        except ValidationError as error:
            keep_service_errors(form, error)
        else:
            _thanks(request, report)
            return redirect(profile)
    return _report_page(request, form, post=None, member=member, back=profile)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The member's own reports and what came of them."""
    page = my_reports(user=_member(request), page=request.GET.get("page"))
    return render(request, "safety/member/reports.html", {"page": page})


# --- Blocks ---------------------------------------------------------------------------------


@login_required
@require_GET
def blocked_list(request: HttpRequest) -> HttpResponse:
    blocks = protection_selectors.blocked_members(_member(request))
    return render(request, "safety/member/blocked.html", {"blocks": blocks})


@login_required
@require_http_methods(["GET", "POST"])
def block(request: HttpRequest, handle: str) -> HttpResponse:
    """Block a member, after a page that says what blocking does."""
    user = _member(request)
    member = _other_member(handle)
    profile = links.profile_url(member.handle)
    if request.method == "POST":
        try:
            protection.block_create(blocker=user, blocked=member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "You've blocked %(handle)s. You won't see each other's posts, and mentions "
                    "and replies between you won't reach either of you. %(handle)s isn't told."
                )
                % {"handle": member.handle},
            )
        return redirect(_next_or(request, profile))
    return render(
        request,
        "safety/member/block_confirm.html",
        {"member": member, "back": profile, "next": _next_or(request, profile)},
    )


@login_required
@require_POST
def unblock(request: HttpRequest, handle: str) -> HttpResponse:
    user = _member(request)
    member = _other_member(handle)
    if protection.block_delete(blocker=user, blocked=member):
        messages.success(request, _("You've unblocked %(handle)s.") % {"handle": member.handle})
    return redirect(_next_or(request, reverse("safety_member:blocked")))


# --- Muted words, content warnings and breaks -----------------------------------------------


def _settings_page(
    request: HttpRequest, *, protection_form: ProtectionForm, break_form: BreakForm
) -> HttpResponse:
    return render(
        request,
        "safety/member/settings.html",
        {
            "protection_form": protection_form,
            "break_form": break_form,
            "paused_until": paused_until(_member(request)),
            "muted_words_max": protection.MUTED_WORDS_MAX,
        },
    )


def _protection_initial(user: User) -> dict[str, object]:
    preferences = protection_selectors.preferences_of(user)
    return {
        "muted_words": "\n".join(preferences.muted_words),
        "hide_content_warned": preferences.hide_content_warned,
    }


@login_required
@require_http_methods(["GET", "POST"])
def protection_settings(request: HttpRequest) -> HttpResponse:
    """Muted words, folding content-warned posts, and taking a break: one page."""
    user = _member(request)
    if request.method == "POST":
        form = ProtectionForm(request.POST)
        if form.is_valid():
            try:
                protection.protection_update(
                    user=user,
                    muted_words=form.words(),
                    hide_content_warned=form.cleaned_data["hide_content_warned"],
                )
            except ValidationError as error:
                keep_service_errors(form, error)
            else:
                messages.success(request, _("Your settings are saved."))
                return redirect("safety_member:settings")
    else:
        form = ProtectionForm(initial=_protection_initial(user))
    return _settings_page(request, protection_form=form, break_form=BreakForm())


@login_required
@require_POST
def break_start(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    form = BreakForm(request.POST)
    if form.is_valid():
        length, until = form.chosen()
        try:
            ends = protection.break_end_for(length=length, until=until)
            protection.break_start(user=user, until=ends)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "paused_until" in error.error_dict:
                error = ValidationError({"until": error.error_dict["paused_until"]})
            keep_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your break has started. Take care of yourself. You can still read "
                    "everything, and you can come back early whenever you like, right here. "
                    "Your break ends on %(until)s."
                )
                % {"until": date_format(timezone.localtime(ends), "DATETIME_FORMAT")},
            )
            return redirect("safety_member:settings")
    return _settings_page(
        request,
        protection_form=ProtectionForm(initial=_protection_initial(user)),
        break_form=form,
    )


@login_required
@require_POST
def break_stop(request: HttpRequest) -> HttpResponse:
    protection.break_end(user=_member(request))
    messages.success(request, _("Welcome back. Your break has ended, and you can post again."))
    return redirect("safety_member:settings")
