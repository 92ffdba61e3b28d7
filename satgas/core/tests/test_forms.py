"""The form renderer writes ``<select>`` in Python: the HTML must be exactly what Django's templates write."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils import translation

from satgas.core.forms import SatgasFormRenderer, style_form


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", 'Lapas <Semarang> & "Kedungpane"'), ("b", "Rutan")])
    grouped = forms.MultipleChoiceField(
        choices=[("Lapas", [("1", "Lapas A"), ("2", "Lapas B")]), ("Rutan", [("3", "Rutan C")]), ("4", "Other")],
        widget=forms.SelectMultiple(attrs={"aria-describedby": "help", "data-x": 'a"b'}),
    )
    optional = forms.TypedChoiceField(choices=[(1, "One"), (2, "Two")], coerce=int, required=False)


@pytest.mark.parametrize("data", [None, {"plain": "a", "grouped": ["2", "4"], "optional": "2"}, {"plain": "zzz"}])
def test_select_html_is_the_same_as_djangos_templates(data):
    def rendered(renderer):
        form = style_form(Choices(data=data, renderer=renderer))
        form.fields["plain"].widget.attrs.update({"required": True, "disabled": False, "autofocus": True})
        return [str(form[name]) for name in form.fields]

    ours, djangos = rendered(SatgasFormRenderer()), rendered(TemplatesSetting())
    assert ours == djangos
    assert "&lt;Semarang&gt; &amp; &quot;Kedungpane&quot;" in ours[0]
    if data and data.get("grouped"):
        assert '<option value="2" selected>Lapas B</option>' in ours[1]


def test_a_select_with_a_custom_option_template_is_left_to_the_template_engine():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"  # the project's, with form-check-input

    form = forms.Form(renderer=SatgasFormRenderer())
    form.fields["x"] = forms.ChoiceField(choices=[("a", "A")], widget=Custom)
    assert 'class="form-check-input"' in str(form["x"])


def test_date_labels_are_localized_as_the_templates_do():
    def rendered(renderer):
        form = forms.Form(renderer=renderer)
        form.fields["day"] = forms.ChoiceField(choices=[("a", dt.date(2024, 1, 5)), ("b", "Teks")])
        return str(form["day"])

    with translation.override("id"):
        ours = rendered(SatgasFormRenderer())
        assert ours == rendered(TemplatesSetting())
        assert "2024-01-05" not in ours
