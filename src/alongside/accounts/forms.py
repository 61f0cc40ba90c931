"""Forms for accounts. They check what was typed; the services in ``services.py`` do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import AgeBand, PolicyDocument, User, handle_validator
from alongside.accounts.roles import Role
from alongside.accounts.services import HANDLE_TAKEN
from alongside.core.crisis import region_choices

# Handles that would let someone pass themselves off as the site or its team.
RESERVED_HANDLES = frozenset(
    {
        "admin",
        "administrator",
        "alongside",
        "help",
        "mod",
        "moderator",
        "moderators",
        "peer_supporter",
        "root",
        "staff",
        "support",
        "system",
    }
)


def language_choices() -> list[tuple[str, str]]:
    """Called per form, so the labels are in the language of the request."""
    languages = [(code, str(name)) for code, name in settings.LANGUAGES]
    return [("", str(_("The same as my browser"))), *languages]


def region_field_choices() -> list[tuple[str, str]]:
    return [("", str(_("Somewhere else, or I'd rather not say"))), *region_choices()]


def _password_widget(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class HandleField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Handle"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)


def new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    """A new password and its confirmation (checked by ``check_password_pair``)."""
    return (
        forms.CharField(
            label=_("Password"),
            strip=False,
            widget=_password_widget("new-password"),
            help_text=password_validation.password_validators_help_text_html,
        ),
        forms.CharField(
            label=_("Password again"),
            strip=False,
            widget=_password_widget("new-password"),
            help_text=_("Type the same password again, to be sure there is no typo."),
        ),
    )


def check_password_pair(form: forms.Form, user: User, first: str, second: str) -> None:
    """Add errors to ``form`` unless the two passwords match and pass AUTH_PASSWORD_VALIDATORS."""
    password1 = form.cleaned_data.get(first)
    password2 = form.cleaned_data.get(second)
    if not password1 or not password2:
        return
    if password1 != password2:
        form.add_error(second, _("The two passwords are different."))
        return
    try:
        password_validation.validate_password(password1, user=user)
    except ValidationError as error:
        form.add_error(first, error)


class SignupForm(forms.Form):
    password1, password2 = new_password_fields()
    handle = HandleField(
        validators=[handle_validator],
        help_text=_(
            "The name others see. Please don't use your real name: 3 to 30 letters, numbers or "
            "underscores."
        ),
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "Only used to help you back into your account and for the notifications you choose. "
            "Nobody else can see it. Without one, you will get recovery codes instead."
        ),
    )
    region = forms.ChoiceField(
        label=_("Where are you?"),
        required=False,
        help_text=_("So that Get help now shows the crisis lines for your region first."),
    )
    language = forms.ChoiceField(label=_("Preferred language"), required=False)
    # Only one of these two stays on the form: the age band where the deployment admits
    # under-18s (``ADMITS_UNDER_18``), otherwise the confirmation of being an adult.
    age_band = forms.ChoiceField(
        label=_("How old are you?"),
        choices=AgeBand.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose your age band.")},
        help_text=_(
            "We ask only an age band, never your birthday, so we can keep young people safe: "
            "adults can't start private conversations with under-18s."
        ),
    )
    confirm_adult = forms.BooleanField(
        label=_("I am 18 or over"),
        error_messages={
            "required": _("This community is for adults. Please confirm you are 18 or over.")
        },
    )
    accept_agreement = forms.BooleanField(
        label=_("I have read and accept the community agreement"),
        error_messages={"required": _("Please accept the community agreement to join.")},
    )
    accept_privacy = forms.BooleanField(
        label=_("I have read and accept the privacy notice"),
        error_messages={"required": _("Please accept the privacy notice to join.")},
    )

    field_order = [
        "handle",
        "password1",
        "password2",
        "email",
        "region",
        "language",
        "age_band",
        "confirm_adult",
        "accept_agreement",
        "accept_privacy",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)  # noqa: S101 - narrows the type
        region.choices = region_field_choices()
        region.initial = settings.DEFAULT_REGION
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)  # noqa: S101 - narrows the type
        language.choices = language_choices()
        self.fields["password1"].label = _("Choose a password")
        del self.fields["confirm_adult" if settings.ADMITS_UNDER_18 else "age_band"]

    def clean_handle(self) -> str:
        handle: str = self.cleaned_data["handle"].strip()
        if handle.lower() in RESERVED_HANDLES:
            raise ValidationError(_("That handle is reserved. Please choose another one."))
        if User.objects.filter(handle__iexact=handle).exists():
            raise ValidationError(HANDLE_TAKEN, code="handle_taken")
        return handle

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user = User(handle=cleaned.get("handle", ""), email=cleaned.get("email", ""))
        check_password_pair(self, user, "password1", "password2")
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's log-in form, asking for a handle. Axes sees the field as ``username``."""

    username = HandleField(
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        )
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=_password_widget("current-password")
    )

    error_messages = {
        "invalid_login": _(
            "That handle and password don't match. Check them and try again; the handle "
            "can be typed in any case, the password cannot."
        ),
        "inactive": _("This account is paused. Please contact the moderators."),
    }


class EmailPasswordResetForm(PasswordResetForm):
    """Finds active members with a usable password by email (ignoring case), like Django's."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class RecoverForm(forms.Form):
    new_password1, new_password2 = new_password_fields()
    handle = HandleField()
    code = forms.CharField(
        label=_("One of your recovery codes"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("For example abcd-efgh-jkmn. Each code works once."),
    )

    field_order = ["handle", "code", "new_password1", "new_password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_password_pair(
            self, User(handle=cleaned.get("handle", "")), "new_password1", "new_password2"
        )
        return cleaned


class AcceptPoliciesForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        queryset=PolicyDocument.objects.none(), widget=forms.MultipleHiddenInput
    )
    accept = forms.BooleanField(
        label=_("I have read and accept these"),
        error_messages={"required": _("Please tick the box to accept, or log out.")},
    )

    def __init__(self, *args: Any, documents: list[PolicyDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["documents"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 - narrows the type
        field.queryset = PolicyDocument.objects.filter(pk__in=[d.pk for d in documents])
        field.initial = [document.pk for document in documents]


class ProfileForm(forms.Form):
    pronouns = forms.CharField(
        label=_("Pronouns (optional)"),
        max_length=40,
        required=False,
        help_text=_("For example she/her, they/them."),
    )
    bio = forms.CharField(
        label=_("A little about you (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Up to 500 characters. Please don't include anything that identifies you."),
    )
    lived_experience = forms.MultipleChoiceField(
        label=_("Lived experience you are happy to show (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Helps others find people who have been through something similar."),
    )
    language = forms.ChoiceField(label=_("Preferred language"), required=False)
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        help_text=_("Get help now shows the crisis lines for your region first."),
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "Only used to help you back into your account and for the notifications you choose. "
            "Nobody else can see it."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("lived_experience", [(area, area) for area in settings.LIVED_EXPERIENCE_AREAS]),
            ("language", language_choices()),
            ("region", region_field_choices()),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
            field.choices = choices

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        areas = set(settings.LIVED_EXPERIENCE_AREAS)
        return {
            "pronouns": user.pronouns,
            "bio": user.bio,
            "lived_experience": [area for area in user.lived_experience if area in areas],
            "language": user.language,
            "region": user.region,
            "email": user.email,
        }


class MemberRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(role.value, role.label) for role in Role if role != Role.MEMBER],
        help_text=_("Everyone is a member. Tick the extra roles this member should have."),
    )


class BackgroundCheckForm(forms.Form):
    cleared_on = forms.DateField(
        label=_("Background check cleared on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Please give the date the check cleared.")},
        help_text=_(
            "Only peer supporters whose check has cleared can talk one-to-one with members "
            "under 18."
        ),
    )


class PolicyPublishForm(forms.Form):
    kind = forms.ChoiceField(label=_("Which policy"), choices=PolicyDocument.Kind.choices)
    version = forms.CharField(
        label=_("Version"),
        max_length=20,
        help_text=_("A new name for this version, such as 2 or 2026-1."),
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Full text"),
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_(
            "Markdown: ## for headings, - for lists, **bold**. Write each paragraph on one line."
        ),
    )
    summary_of_changes = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "In plain words, for members: they see this when asked to accept the new version."
        ),
    )
