"""Forms for the chat pages: they shape and label the input; the services decide what is
allowed.

Lengths here only give browsers a ``maxlength`` and early messages; the services check them
again, because the WebSocket and the JSON API reach the services without these forms.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.chat import services
from alongside.chat.models import ChatPreferences
from alongside.safety.models import Report
from alongside.safety.services.reports import NOTE_MAX

CONTENT_WARNING_HELP = _(
    "Optional. If your message touches on something others may find hard to read, name it "
    "here (for example “self-harm”). It is then folded away until each reader opens it."
)


def new_client_id() -> str:
    """The id a page gives the message it is about to send: sending twice sends it once."""
    return str(uuid.uuid4())


class MessageForm(forms.Form):
    """The composer: a message, an optional content warning, and what it replies to."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=services.MESSAGE_MAX,
        strip=False,  # the service trims; a refused message comes back exactly as typed
        error_messages={"required": _("Please write a message first.")},
        widget=forms.Textarea(attrs={"rows": 3, "data-draft-check": ""}),
    )
    content_warning = forms.CharField(
        label=_("Content warning"),
        help_text=CONTENT_WARNING_HELP,
        max_length=services.CONTENT_WARNING_MAX,
        required=False,
    )
    client_id = forms.CharField(
        max_length=services.CLIENT_ID_MAX, required=False, widget=forms.HiddenInput
    )
    reply_to = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("client_id", new_client_id())
        super().__init__(*args, **kwargs)


class MessageEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=services.MESSAGE_MAX,
        strip=False,
        error_messages={"required": _("Please write a message first.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    content_warning = forms.CharField(
        label=_("Content warning"),
        help_text=CONTENT_WARNING_HELP,
        max_length=services.CONTENT_WARNING_MAX,
        required=False,
    )


class PreferencesForm(forms.Form):
    who_may_message = forms.ChoiceField(
        label=_("Who may start a one-to-one conversation with me"),
        help_text=_(
            "Whatever you choose, you can always start a conversation yourself, and you can "
            "leave any conversation at any time."
        ),
        choices=ChatPreferences.WhoMayMessage.choices,
        widget=forms.RadioSelect,
    )
    presence_visibility = forms.ChoiceField(
        label=_("Who may see when I'm online"),
        help_text=_(
            "Nobody outside your conversations ever sees whether you're online. People you "
            "don't let see it just see nothing, not “offline”."
        ),
        choices=ChatPreferences.PresenceVisibility.choices,
        widget=forms.RadioSelect,
    )


NO_REASON = ""


class LeaveForm(forms.Form):
    """Leave a conversation, and if the member wants, report someone in it."""

    reported = forms.ChoiceField(
        label=_("Who would you like to report? (optional)"),
        required=False,
    )
    reason = forms.ChoiceField(
        label=_("What's wrong?"),
        choices=[(NO_REASON, _("I just want to leave")), *Report.Reason.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        help_text=_(
            "Only moderators read this. The member you report is never told who reported them."
        ),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    share = forms.BooleanField(
        label=_("Share this conversation with moderators so they can read it"),
        help_text=_(
            "Conversations are private: unless you share this one, moderators cannot read it, "
            "only the report. If you share it, the moderators looking at your report can read "
            "the whole conversation, and each time they do it is recorded."
        ),
        required=False,
    )
    block = forms.BooleanField(
        label=_("Also block them"),
        help_text=_(
            "You won't see each other's messages or posts, and they can't start a "
            "conversation with you. They aren't told."
        ),
        required=False,
    )

    def __init__(self, *args: Any, others: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reported"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - for the type checker
        field.choices = [("", _("Nobody: I just want to leave")), *others]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reported, reason, block = data.get("reported"), data.get("reason"), data.get("block")
        if reason and not reported:
            self.add_error("reported", _("Please choose who you are reporting."))
        elif block and not reported:
            self.add_error("reported", _("Please choose whom to block."))
        if data.get("share") and not reason:
            self.add_error(
                "reason", _("To share the conversation, please choose what's wrong as well.")
            )
        elif reported and not reason and not block:
            self.add_error(
                "reason", _("Please choose what's wrong, so the moderators know what to look at.")
            )
        return data
