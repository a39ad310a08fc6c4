from django import forms
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Interface language"),
                                 choices=[("", _("As in the browser")), ("ru", "Русский"), ("en", "English")],
                                 required=False)
