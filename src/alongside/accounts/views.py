"""Pages for joining, signing in, getting back in, policies, profiles and roles.

Views are thin: they check the form and the permission, call a service, and pick a page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts import access, selectors, services
from alongside.accounts.forms import (
    AcceptPoliciesForm,
    BackgroundCheckForm,
    EmailPasswordResetForm,
    LoginForm,
    MemberRolesForm,
    PolicyPublishForm,
    ProfileForm,
    RecoverForm,
    SignupForm,
)
from alongside.accounts.middleware import remember_accepted_policies
from alongside.accounts.models import PolicyDocument, User
from alongside.accounts.ratelimit import (
    client_ip,
    recovery_attempt_failed,
    recovery_attempts_blocked,
    recovery_attempts_reset,
    recovery_window,
)
from alongside.core.markdown import render_markdown
from alongside.safety import support

# Plain-text recovery codes wait here between being made and being shown, once.
RECOVERY_CODES_SESSION_KEY = "accounts_recovery_codes_once"
MODEL_BACKEND = "alongside.accounts.backends.CachedPermissionsBackend"


def _member(request: HttpRequest) -> User:
    """The signed-in member (for views behind ``login_required``)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _posted(request: HttpRequest) -> Any:
    """The POST data for binding a form, or None on GET (an empty POST is still a POST)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    """``?next=`` (or the posted ``next``) if it points to this site, else the default."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


# --- Joining --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    documents = selectors.current_policies()
    form = SignupForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.user_signup(
                handle=data["handle"],
                password=data["password1"],
                accepted_documents=documents,
                email=data["email"],
                region=data["region"],
                language=data["language"],
                age_band=data.get("age_band", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, result.user, backend=MODEL_BACKEND)
            remember_accepted_policies(request, {document.pk for document in documents})
            if result.recovery_codes:
                request.session[RECOVERY_CODES_SESSION_KEY] = result.recovery_codes
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@never_cache
@login_required
def signup_done(request: HttpRequest) -> HttpResponse:
    """Welcome, and the recovery codes, shown this once and then forgotten."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes or [], "welcome": True, "has_email": bool(_member(request).email)},
    )


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once right after they were made."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, _("Recovery codes are only shown once, when they are made."))
        return redirect("accounts:profile", handle=_member(request).handle)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "welcome": False})


@never_cache
@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    """Replace the member's recovery codes; asks for the password so a borrowed session
    cannot quietly take over the account."""
    member = _member(request)
    if not member.check_password(request.POST.get("password", "")):
        messages.error(
            request, _("That password is not right, so no new codes were made. Please try again.")
        )
        return redirect("accounts:profile", handle=member.handle)
    request.session[RECOVERY_CODES_SESSION_KEY] = services.recovery_codes_generate(user=member)
    return redirect("accounts:recovery_codes")


# --- Signing in and out ---------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    http_method_names = ["post", "options"]


# --- Getting back in ------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = EmailPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The email names the community, not the bare domain Django would use.
        self.extra_email_context = {"site_name": settings.SITE_NAME}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # A member who proved they own the email address may log in again from here at once.
        axes_reset(ip=client_ip(self.request), username=form.user.handle.lower())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@never_cache
@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    """Choose a new password with the handle and one recovery code."""
    if request.user.is_authenticated:
        return redirect("accounts:password_change")
    form = RecoverForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ip = client_ip(request)
        if recovery_attempts_blocked(handle=data["handle"], ip=ip):
            minutes = max(1, int(recovery_window().total_seconds() // 60))
            form.add_error(
                None,
                ngettext(
                    "There have been too many tries for this handle. For your safety, please "
                    "wait %(minutes)d minute and try again.",
                    "There have been too many tries for this handle. For your safety, please "
                    "wait %(minutes)d minutes and try again.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            status = 429
        else:
            try:
                user = services.user_recover_with_code(
                    handle=data["handle"], code=data["code"], new_password=data["new_password1"]
                )
            except services.RecoveryFailedError:
                recovery_attempt_failed(handle=data["handle"], ip=ip)
                form.add_error(
                    None,
                    _(
                        "That handle and recovery code don't match, or the code has been used "
                        "already. Please check them and try again."
                    ),
                )
            else:
                recovery_attempts_reset(handle=data["handle"], ip=ip)
                axes_reset(ip=ip, username=user.handle.lower())
                login(request, user, backend=MODEL_BACKEND)
                left = selectors.recovery_codes_unused_count(user=user)
                messages.success(
                    request,
                    _(
                        "Welcome back. Your password has been changed. You have %(count)d "
                        "recovery codes left."
                    )
                    % {"count": left},
                )
                return redirect("accounts:profile", handle=user.handle)
    return render(request, "accounts/recover.html", {"form": form}, status=status)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm

    def form_valid(self, form: Any) -> HttpResponse:
        form.save()
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("accounts:profile", handle=form.user.handle)


# --- Policies -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def policy(request: HttpRequest, kind: str) -> HttpResponse:
    """The current version of a policy (or ``?version=``), readable by anyone."""
    if kind not in PolicyDocument.Kind.values:
        raise Http404
    document = selectors.policy_get(kind=kind, version=request.GET.get("version") or None)
    if document is None:
        raise Http404
    current_id = selectors.current_policy_ids().get(kind)
    return render(
        request,
        "accounts/policy.html",
        {
            "document": document,
            "body_html": render_markdown(document.body),
            "is_current": document.pk == current_id,
            "versions": selectors.policy_versions(kind=kind),
            "can_publish": access.can_publish_policies(request.user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def policy_publish(request: HttpRequest) -> HttpResponse:
    """For holders of accounts.publish_policies: publish a new version of a policy."""
    actor = _member(request)
    access.require_permission(actor, access.PUBLISH_POLICIES)
    kind = request.GET.get("kind", PolicyDocument.Kind.AGREEMENT)
    current = selectors.policy_get(kind=kind) if kind in PolicyDocument.Kind.values else None
    initial = {"kind": kind}
    if current is not None:
        initial.update({"title": current.title, "body": current.body})
    form = PolicyPublishForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.policy_publish(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Published. Members will be asked to accept %(policy)s on their next visit.")
                % {"policy": document},
            )
            return redirect("accounts:policy", kind=document.kind)
    return render(request, "accounts/policy_publish.html", {"form": form, "current": current})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def accept_policies(request: HttpRequest) -> HttpResponse:
    """What changed in the policies, and a box to tick to accept the new versions."""
    member = _member(request)
    accept_url = reverse("accounts:accept_policies")
    next_url = _safe_next(request)
    if next_url.startswith(accept_url):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    outstanding = selectors.policies_outstanding(user=member)
    if not outstanding:
        remember_accepted_policies(request, set(selectors.current_policy_ids().values()))
        return redirect(next_url)
    form = AcceptPoliciesForm(_posted(request), documents=outstanding)
    if request.method == "POST":
        if form.is_valid():
            services.policies_accept(user=member, documents=form.cleaned_data["documents"])
            if not selectors.policies_outstanding(user=member):
                remember_accepted_policies(request, set(selectors.current_policy_ids().values()))
                messages.success(request, _("Thank you. You're all set."))
                return redirect(next_url)
        if "documents" in form.errors or form.is_valid():
            # A policy changed again while the page was open: show the newest text.
            messages.info(
                request, _("A policy was updated while you were reading. Please look again.")
            )
            return redirect(f"{accept_url}?{urlencode({'next': next_url})}")
    previously = selectors.policy_previously_accepted_kinds(user=member)
    items = [
        {
            "document": document,
            "updated": document.kind in previously,
            "body_html": render_markdown(document.body),
        }
        for document in outstanding
    ]
    return render(
        request,
        "accounts/accept_policies.html",
        {"form": form, "items": items, "next": next_url},
    )


# --- Profiles -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def profile(request: HttpRequest, handle: str) -> HttpResponseBase:
    """A member's public profile, for signed-in members. Never shows the email address."""
    member = selectors.member_get(handle=handle)
    if member is None:
        raise Http404
    if member.handle != handle:
        return redirect("accounts:profile", handle=member.handle, permanent=True)
    viewer = _member(request)
    is_self = viewer.pk == member.pk
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "badges": access.role_badges(access.user_role_names(member)),
            "is_self": is_self,
            "can_assign_roles": access.can_assign_roles(viewer),
            "can_moderate_profiles": access.has_permission(viewer, "safety.moderate_content"),
            "unused_codes": (
                selectors.recovery_codes_unused_count(user=member) if is_self else None
            ),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = ProfileForm(_posted(request), initial=ProfileForm.initial_for(member))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.profile_update(user=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            screened = getattr(saved, "screening", None)
            if screened is not None:
                notice = support.support_notice(screened=screened, held=saved.bio_held, user=saved)
                support.remember(request, notice)
            return redirect("accounts:profile", handle=member.handle)
    return render(request, "accounts/profile_edit.html", {"form": form})


# --- Roles ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def member_roles(request: HttpRequest, handle: str) -> HttpResponse:
    """For administrators: give a member roles or take them away."""
    actor = _member(request)
    access.require_permission(actor, access.ASSIGN_ROLES)
    member = selectors.member_get(handle=handle)
    if member is None:
        raise Http404
    current = [name for name in access.user_role_names(member) if name != "member"]
    form = MemberRolesForm(_posted(request), initial={"roles": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.roles_set(actor=actor, user=member, roles=form.cleaned_data["roles"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Roles saved for %(handle)s.") % {"handle": member.handle})
            return redirect("accounts:profile", handle=member.handle)
    return render(
        request,
        "accounts/member_roles.html",
        {
            "member": member,
            "form": form,
            "changes": selectors.role_changes(user=member)[:20],
            "is_peer_supporter": access.is_peer_supporter(member),
            "background_form": BackgroundCheckForm(
                initial={"cleared_on": timezone.localdate()}, auto_id="id_background_%s"
            ),
        },
    )


@never_cache
@login_required
@require_POST
def member_background_check(request: HttpRequest, handle: str) -> HttpResponse:
    """For administrators: record a peer supporter's cleared background check, or clear it."""
    actor = _member(request)
    access.require_permission(actor, access.ASSIGN_ROLES)
    member = selectors.member_get(handle=handle)
    if member is None:
        raise Http404
    if request.POST.get("action") == "clear":
        services.background_check_clear(actor=actor, user=member)
        messages.success(
            request,
            _("The background check record for %(handle)s is removed.") % {"handle": member.handle},
        )
        return redirect("accounts:member_roles", handle=member.handle)
    form = BackgroundCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("cleared_on", [])))
        return redirect("accounts:member_roles", handle=member.handle)
    try:
        services.background_check_set(
            actor=actor, user=member, cleared_on=form.cleaned_data["cleared_on"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Saved: %(handle)s's background check has cleared.") % {"handle": member.handle},
        )
    return redirect("accounts:member_roles", handle=member.handle)
