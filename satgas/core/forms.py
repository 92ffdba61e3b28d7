"""Bootstrap styling and accessible errors for every form.

``SatgasFormRenderer`` renders each field with ``templates/forms/field.html``
(label, help text, errors announced with ``role=alert``). ``style_form`` puts
Bootstrap classes on widgets and, after validation, marks invalid inputs with
``aria-invalid`` and links them to their error text.
"""

from django import forms
from django.forms.renderers import TemplatesSetting


class SatgasFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def _css_class(widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "form-check-input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    return "form-control"


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            continue  # styled by templates/django/forms/widgets/{multiple_input,input_option}.html
        classes = widget.attrs.get("class", "")
        wanted = _css_class(widget)
        if wanted not in classes.split():
            widget.attrs["class"] = f"{classes} {wanted}".strip()
    return form


def mark_invalid(form: forms.BaseForm) -> None:
    for name in form.errors:
        if name not in form.fields:
            continue
        bound = form[name]
        widget = form.fields[name].widget
        widget.attrs["aria-invalid"] = "true"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        described = [f"{bound.auto_id}_error"]
        if form.fields[name].help_text:
            described.append(f"{bound.auto_id}_helptext")
        widget.attrs["aria-describedby"] = " ".join(described)


class StyledFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)

    def full_clean(self):
        super().full_clean()
        mark_invalid(self)
