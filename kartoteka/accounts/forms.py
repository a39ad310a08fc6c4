from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts.choices import Role


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Interface language"),
                                 choices=[("", _("As in the browser")), ("ru", "Русский"), ("en", "English")],
                                 required=False)


class CodeForm(forms.Form):
    """One field for a six-digit code from the authenticator app or, where allowed, a recovery code."""

    code = forms.CharField(label=_("Code"), max_length=32, strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}))

    def __init__(self, *args: Any, autofocus: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:  # the code steps have one field; the two-factor page has two forms and focuses neither
            self.fields["code"].widget.attrs["autofocus"] = True


class SecurityPolicyForm(forms.Form):
    two_factor_roles = forms.MultipleChoiceField(label=_("Roles that must use two-factor login"),
                                                 choices=Role.choices, required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    two_factor_for_exporters = forms.BooleanField(label=_("Everyone who may export must use two-factor login"),
                                                  required=False)
