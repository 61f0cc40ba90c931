"""Forms for the pages: they shape and label the input; the services decide what is allowed.

Lengths here only give browsers a ``maxlength`` and early messages; the services check them
again, because the JSON API reaches the services without these forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.communities import services
from alongside.communities.models import Group

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONTENT_WARNING_HELP = _(
    "Optional. If your post touches on something others may find hard to read, name it here "
    "(for example “self-harm” or “loss”). Your message is then folded away until each reader "
    "chooses to open it."
)
BODY_HELP = _(
    "You can use simple formatting: *italic*, **bold**, > quote, - list. "
    "Mention someone with @handle."
)


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=services.NAME_MAX,
        error_messages={"required": _("Please give the group a name.")},
    )
    description = forms.CharField(
        label=_("What the group is about"),
        max_length=services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rules = forms.CharField(
        label=_("Group agreement"),
        help_text=_("How members look after each other here. Simple formatting works."),
        max_length=services.RULES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can find and join it"),
        choices=Group.Visibility.choices,
        initial=Group.Visibility.OPEN,
        widget=forms.RadioSelect,
    )
    risky_post_policy = forms.ChoiceField(
        label=_("When a post may show someone at risk"),
        help_text=_(
            "Either way the author sees crisis lines at once and a moderator is alerted. "
            "Holding suits groups for young people or new members."
        ),
        choices=Group.RiskyPostPolicy.choices,
        initial=Group.RiskyPostPolicy.POST_MODERATE,
        required=False,  # left out: the group keeps its policy (new groups: publish)
        widget=forms.RadioSelect,
    )

    def clean_risky_post_policy(self) -> str | None:
        return self.cleaned_data.get("risky_post_policy") or None


def _body_field(label: StrOrPromise, rows: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=BODY_HELP,
        max_length=services.BODY_MAX,
        error_messages={"required": _("Please write something before posting.")},
        # data-draft-check: draft-check.js offers support while a worrying draft is written.
        widget=forms.Textarea(attrs={"rows": rows, "data-draft-check": ""}),
    )


def _content_warning_field() -> forms.CharField:
    return forms.CharField(
        label=_("Content warning"),
        help_text=CONTENT_WARNING_HELP,
        max_length=services.CONTENT_WARNING_MAX,
        required=False,
    )


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=services.TITLE_MAX,
        error_messages={"required": _("Please give your thread a title.")},
    )
    body = _body_field(_("Message"), rows=8)
    content_warning = _content_warning_field()


class ReplyForm(forms.Form):
    body = _body_field(_("Your reply"), rows=6)
    content_warning = _content_warning_field()


class PostEditForm(ThreadForm):
    """Editing a post; the title field is removed for replies."""

    def __init__(self, *args: object, with_title: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not with_title:
            del self.fields["title"]
