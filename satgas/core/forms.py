"""Bootstrap styling and accessible errors for every form.

``SatgasFormRenderer`` renders each field with ``templates/forms/field.html``
(label, help text, errors announced with ``role=alert``). ``style_form`` puts
Bootstrap classes on widgets, limits every date field to the range all inputs
share (``satgas.core.limits``) and, after validation, marks invalid inputs with
``aria-invalid`` and links them to their error text.
"""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe

from .limits import limit_dates

SELECT_TEMPLATE = "django/forms/widgets/select.html"
SELECT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class SatgasFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE and all(
            # Text labels only: the templates would localize a date or a number label.
            option["template_name"] == SELECT_OPTION_TEMPLATE and isinstance(option["label"], str | Promise)
            for _group, options, _index in context["widget"]["optgroups"]
            for option in options
        ):
            return render_select(context["widget"])
        return super().render(template_name, context, request=request)


def _attrs(attrs: dict) -> str:
    """Django's ``attrs.html``: ``True`` writes the bare name, ``False`` leaves the attribute out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget: dict) -> str:
    """The same HTML as Django's ``select.html`` and ``select_option.html``, written in Python.

    A unit filter lists every unit of the region (601 at the ministry's scale); the template engine spends about
    0.3 ms on each ``<option>`` (an include and the attrs loop), which made the select most of a list page's time.
    Values, labels and attributes are escaped as the templates' autoescape would (safe strings kept as they are).
    """
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        parts.extend(
            f'\n  <option value="{escape(str(option["value"]))}"{_attrs(option["attrs"]) if option["attrs"] else ""}>'
            f"{escape(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above


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
    limit_dates(form)
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
