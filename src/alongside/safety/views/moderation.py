"""Moderators' pages: the queue, one item in context, acting on members, duty and the log.

Thin: every object comes from an ``access_*`` helper in ``selectors.queue`` (which refuses
anyone without ``safety.moderate_content``), every change from a service. After a POST the
view redirects; a service's refusal is shown as a message on the page it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from alongside.accounts.models import User
from alongside.chat.models import DirectMessagingApproval
from alongside.safety.models import QueueItem, RotaSlot, Sanction
from alongside.safety.selectors import audit as audit_selectors
from alongside.safety.selectors import queue as selectors
from alongside.safety.services import duty as duty_services
from alongside.safety.services import moderation as services


def _user(request: HttpRequest) -> User:
    """The signed-in user; only called behind login_required."""
    return cast(User, request.user)


def error_text(error: ValidationError) -> str:
    """A service's ValidationError as one sentence or a few, for a message."""
    return " ".join(str(message) for message in error.messages)


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """To ``next`` when it is a page of this site, otherwise to ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


# --- Forms ----------------------------------------------------------------------------------


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Action"), choices=Sanction.Kind.choices)
    days = forms.IntegerField(
        label=gettext_lazy("For how many days"),
        required=False,
        min_value=1,
        max_value=services.DAYS_MAX,
        help_text=gettext_lazy("Needed for a mute. Leave empty to suspend permanently."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (the member sees this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.REASON_MAX,
    )
    note = forms.CharField(
        label=gettext_lazy("Note for moderators (the member never sees this)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=services.NOTE_MAX,
    )


class RotaSlotForm(forms.Form):
    moderator = forms.ModelChoiceField(
        label=gettext_lazy("Moderator"), queryset=User.objects.none(), to_field_name="pk"
    )
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day"), choices=RotaSlot.Weekday.choices, coerce=int
    )
    starts = forms.TimeField(
        label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(
        label=gettext_lazy("Until"), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = cast(forms.ModelChoiceField, self.fields["moderator"])
        field.queryset = selectors.moderators().order_by("handle")


def _sanction_form_for(step: services.LadderStep) -> SanctionForm:
    """The form with the ladder's next step chosen; the moderator may choose another."""
    return SanctionForm(initial={"kind": step.kind, "days": step.days})


# --- The queue ------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The open items; ``?fragment=1`` returns only the list, for the live refresh."""
    user = _user(request)
    page = selectors.queue_page(user, request.GET.get("page"))
    if request.GET.get("fragment"):
        return render(request, "safety/moderation/_queue_list.html", {"queue": page})
    on_duty = selectors.moderators_on_duty()
    return render(
        request,
        "safety/moderation/queue.html",
        {
            "queue": page,
            "on_duty": on_duty,
            "me_on_duty": any(moderator.pk == user.pk for moderator in on_duty),
        },
    )


@login_required
@require_GET
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    """One item with its content in context; opening held content is written to the log."""
    user = _user(request)
    queue_item = selectors.access_queue_item_by_id(user, item_id)
    detail = selectors.item_detail(user, queue_item)
    if detail.shows_held_content:
        services.held_content_view_record(
            actor=user,
            item=queue_item,
            post_ids=detail.held_post_ids,
            message_ids=detail.held_message_ids,
        )
    if detail.chat is not None and detail.chat.reads_private_conversation:
        services.shared_conversation_read_record(
            actor=user,
            item=queue_item,
            conversation_id=detail.chat.conversation.pk,
            message_ids=[message.pk for message in detail.chat.messages],
        )
    member = queue_item.member
    step = services.ladder_next_step(member)
    return render(
        request,
        "safety/moderation/item.html",
        {
            "detail": detail,
            "item": detail.item,
            "row": detail.row,
            "history": detail.history,
            "next_step": step,
            "sanction_form": _sanction_form_for(step),
            "is_about_me": member.pk == user.pk,
        },
    )


def _item_approve(actor: User, item: QueueItem, data: dict[str, str]) -> str:
    services.item_approve(actor=actor, item=item, note=data.get("note", ""))
    return _("Approved.")


def _item_hide(actor: User, item: QueueItem, data: dict[str, str]) -> str:
    services.item_hide(
        actor=actor, item=item, reason=data.get("reason", ""), note=data.get("note", "")
    )
    return _("Hidden from other members. The member was told why.")


def _item_restore(actor: User, item: QueueItem, data: dict[str, str]) -> str:
    services.item_restore(
        actor=actor, item=item, reason=data.get("reason", ""), note=data.get("note", "")
    )
    return _("Visible to everyone again.")


def _item_content_warning(actor: User, item: QueueItem, data: dict[str, str]) -> str:
    services.item_add_content_warning(
        actor=actor,
        item=item,
        content_warning=data.get("content_warning", ""),
        reason=data.get("reason", ""),
        note=data.get("note", ""),
    )
    return _("The content warning is on the post.")


def _item_edit(actor: User, item: QueueItem, data: dict[str, str]) -> str:
    services.item_edit(
        actor=actor,
        item=item,
        body=data.get("body", ""),
        visible_note=data.get("visible_note", ""),
        note=data.get("note", ""),
    )
    return _("The post is edited, with your note under it.")


def _item_dismiss(actor: User, item: QueueItem, data: dict[str, str]) -> str:
    services.item_dismiss(actor=actor, item=item, note=data.get("note", ""))
    return _("Dismissed: no action needed.")


ITEM_ACTIONS: dict[str, Callable[[User, QueueItem, dict[str, str]], str]] = {
    "approve": _item_approve,
    "hide": _item_hide,
    "restore": _item_restore,
    "content-warning": _item_content_warning,
    "edit": _item_edit,
    "dismiss": _item_dismiss,
}


@login_required
@require_POST
def item_act(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    """One decision on an item's content (the names are the keys of ``ITEM_ACTIONS``)."""
    user = _user(request)
    queue_item = selectors.access_queue_item_by_id(user, item_id)
    act = ITEM_ACTIONS.get(action)
    if act is None:
        return redirect("safety_moderation:item", item_id=queue_item.pk)
    try:
        done = act(user, queue_item, request.POST.dict())
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("safety_moderation:item", item_id=queue_item.pk)
    messages.success(request, done)
    return _back(request, reverse("safety_moderation:item", args=[queue_item.pk]))


def _sanction_from_post(
    request: HttpRequest, *, member: User, item: QueueItem | None
) -> str | None:
    """Apply the sanction form; returns an error to show, or None on success."""
    form = SanctionForm(request.POST)
    if not form.is_valid():
        return " ".join(str(error) for errors in form.errors.values() for error in errors)
    try:
        sanction = services.member_sanction(
            actor=_user(request),
            member=member,
            kind=form.cleaned_data["kind"],
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            item=item,
        )
    except ValidationError as error:
        return error_text(error)
    messages.success(
        request,
        _("%(kind)s applied to %(handle)s. They were told the reason and how to appeal.")
        % {"kind": sanction.get_kind_display().split(":")[0], "handle": member.handle},
    )
    return None


@login_required
@require_POST
def item_sanction(request: HttpRequest, item_id: int) -> HttpResponse:
    queue_item = selectors.access_queue_item_by_id(_user(request), item_id)
    problem = _sanction_from_post(request, member=queue_item.member, item=queue_item)
    if problem:
        messages.error(request, problem)
    return redirect("safety_moderation:item", item_id=queue_item.pk)


# --- Members and sanctions ------------------------------------------------------------------


@dataclass(frozen=True)
class DirectMessaging:
    """Whether a member may start one-to-one conversations, and why."""

    passes_bar: bool
    approval: DirectMessagingApproval | None


def _direct_messaging(person: User) -> DirectMessaging:
    from alongside.chat.policy import direct_bar_refusal

    return DirectMessaging(
        passes_bar=direct_bar_refusal(person) is None,
        approval=DirectMessagingApproval.objects.filter(user=person)
        .select_related("approved_by")
        .first(),
    )


@login_required
@require_GET
def member(request: HttpRequest, member_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.access_member_by_id(user, member_id)
    step = services.ladder_next_step(person)
    return render(
        request,
        "safety/moderation/member.html",
        {
            "history": selectors.member_history(user, person),
            "person": person,
            "next_step": step,
            "sanction_form": _sanction_form_for(step),
            "is_me": person.pk == user.pk,
            "direct_messaging": _direct_messaging(person),
        },
    )


@login_required
@require_POST
def member_direct_approve(request: HttpRequest, member_id: int) -> HttpResponse:
    """Let a new account start one-to-one conversations before the usual bar."""
    from alongside.chat.services import direct_approve

    user = _user(request)
    person = selectors.access_member_by_id(user, member_id)
    direct_approve(actor=user, member=person)
    messages.success(
        request,
        _("%(handle)s can now start one-to-one conversations.") % {"handle": person.handle},
    )
    return redirect("safety_moderation:member", member_id=person.pk)


@login_required
@require_POST
def member_sanction(request: HttpRequest, member_id: int) -> HttpResponse:
    person = selectors.access_member_by_id(_user(request), member_id)
    problem = _sanction_from_post(request, member=person, item=None)
    if problem:
        messages.error(request, problem)
    return redirect("safety_moderation:member", member_id=person.pk)


@login_required
@require_POST
def sanction_lift(request: HttpRequest, sanction_id: int) -> HttpResponse:
    user = _user(request)
    sanction = selectors.access_sanction_by_id(user, sanction_id)
    try:
        services.sanction_lift(
            actor=user,
            sanction=sanction,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Lifted. The member was told."))
    return _back(request, reverse("safety_moderation:member", args=[sanction.member_id]))


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    from alongside.safety.services.alerts import alert_acknowledge as acknowledge

    user = _user(request)
    alert = selectors.access_alert_by_id(user, alert_id)
    try:
        acknowledge(actor=user, alert=alert)
    except ValidationError as error:
        messages.info(request, error_text(error))
    else:
        messages.success(request, _("You have this alert. Others can see you are on it."))
    return _back(request, reverse("safety_moderation:item", args=[alert.item_id]))


# --- Duty, rota and handover ----------------------------------------------------------------


@login_required
@require_GET
def duty(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "safety/moderation/duty.html",
        {"overview": selectors.duty_overview(user), "rota_form": RotaSlotForm()},
    )


@login_required
@require_POST
def duty_toggle(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.require_moderator(user)
    if duty_services.duty_toggle(actor=user):
        messages.success(request, _("You are on duty. Urgent alerts will come to you."))
    else:
        messages.success(request, _("You are off duty. Thank you for your shift."))
    return _back(request, reverse("safety_moderation:duty"))


@login_required
@require_POST
def rota_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.require_moderator(user)
    form = RotaSlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("safety_moderation:duty")
    try:
        duty_services.rota_slot_add(actor=user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Added to the rota."))
    return redirect("safety_moderation:duty")


@login_required
@require_POST
def rota_remove(request: HttpRequest, slot_id: int) -> HttpResponse:
    user = _user(request)
    slot = selectors.access_rota_slot_by_id(user, slot_id)
    duty_services.rota_slot_remove(actor=user, slot=slot)
    messages.success(request, _("Removed from the rota."))
    return redirect("safety_moderation:duty")


@login_required
@require_POST
def handover_write(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.require_moderator(user)
    try:
        duty_services.handover_write(actor=user, body=request.POST.get("body", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your handover note is saved for the next shift."))
    return redirect("safety_moderation:duty")


# --- The audit log --------------------------------------------------------------------------


@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """Administrators read the log; nobody can change it, here or anywhere."""
    page = audit_selectors.audit_page(
        _user(request),
        action=request.GET.get("action", ""),
        handle=request.GET.get("member", ""),
        page=request.GET.get("page"),
    )
    return render(request, "safety/moderation/audit.html", {"audit": page})
