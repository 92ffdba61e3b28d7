"""Input rules, Bootstrap styling and accessible errors for every form.

``InputRulesMixin`` (every SATGAS form inherits it, usually through ``StyledFormMixin``) refuses control
characters in every text field, line breaks and tabs in single-line ones, text longer than its limit and dates
outside a plausible range (``satgas/core/limits.py``), each with a message.

``SatgasFormRenderer`` renders each field with ``templates/forms/field.html``
(label, help text, errors announced with ``role=alert``). ``style_form`` puts
Bootstrap classes on widgets, limits every date field to the range all inputs
share (``satgas.core.limits``) and, after validation, marks invalid inputs with
``aria-invalid`` and links them to their error text.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .limits import DATES, TEXT_LINE_MAX, TEXT_LONG_MAX, DateRange, DateRangeValidator
from .text import CONTROL_CHARACTERS_MESSAGE, has_control_characters, reject_control_characters, strip_control

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


SINGLE_LINE_MESSAGE = _("Write this on one line: line breaks and tabs are not allowed here.")


def reject_control_characters_single_line(value) -> None:
    """A validator for single-line text fields (names, titles, numbers): no control characters, no line breaks."""
    if not isinstance(value, str):
        return
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")
    if has_control_characters(value, multiline=False):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="line_breaks")


def is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def apply_input_rules(field: forms.Field, *, max_length: int | None = None, date_range: DateRange | None = None):
    """Give one form field the input rules (once): text is clean and bounded, dates are plausible."""
    if getattr(field, "_input_rules", False):
        return
    field._input_rules = True
    if isinstance(field, forms.CharField):
        multiline = is_multiline(field)
        field.validators.append(reject_control_characters if multiline else reject_control_characters_single_line)
        if field.max_length is None:
            field.max_length = max_length or (TEXT_LONG_MAX if multiline else TEXT_LINE_MAX)
            field.validators.append(MaxLengthValidator(field.max_length))
            if not multiline:  # a text area keeps no maxlength: the browser would cut a paste without a word
                field.widget.attrs.setdefault("maxlength", str(field.max_length))
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        date_range = date_range or DATES
        field.validators.append(DateRangeValidator(date_range))
        earliest, latest = date_range.bounds()
        if isinstance(field.widget, forms.DateTimeInput):
            field.widget.attrs.setdefault("min", f"{earliest.isoformat()}T00:00")
            field.widget.attrs.setdefault("max", f"{latest.isoformat()}T23:59")
        elif isinstance(field.widget, forms.DateInput):
            field.widget.attrs.setdefault("min", earliest.isoformat())
            field.widget.attrs.setdefault("max", latest.isoformat())


class InputRulesMixin:
    """The input rules of every SATGAS form (the one place they are applied).

    ``text_max_lengths`` names a limit from ``satgas.core.limits`` for a text field that has no ``max_length`` of its
    own (default: ``TEXT_LINE_MAX`` for one line, ``TEXT_LONG_MAX`` for a text area); ``date_ranges`` names the
    range of a date field (default: ``DATES``). Fields added after ``__init__`` get the rules when the form is
    validated.
    """

    text_max_lengths: dict[str, int] = {}
    date_ranges: dict[str, DateRange] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.apply_input_rules()

    def apply_input_rules(self) -> None:
        for name, field in self.fields.items():
            apply_input_rules(field, max_length=self.text_max_lengths.get(name), date_range=self.date_ranges.get(name))

    def full_clean(self):
        self.apply_input_rules()
        super().full_clean()
        self._show_clean_text()

    def _show_clean_text(self) -> None:
        """A text refused for its control characters is shown again without them, next to the message: nothing
        typed is lost, and sending it again as shown is accepted."""
        if not self.is_bound or not self._errors:
            return
        refused = [
            name
            for name, errors in self._errors.as_data().items()
            if name in self.fields and any(e.code in ("control_characters", "line_breaks") for e in errors)
        ]
        if not refused:
            return
        data = self.data.copy()
        for name in refused:
            key, multiline = self.add_prefix(name), is_multiline(self.fields[name])
            if hasattr(data, "setlist"):
                data.setlist(key, [strip_control(v, multiline=multiline) for v in data.getlist(key)])
            else:
                data[key] = strip_control(data.get(key), multiline=multiline)
        self.data = data


def with_input_rules(form_class: type) -> type:
    """``form_class`` with the input rules (itself when it has them already)."""
    if issubclass(form_class, InputRulesMixin):
        return form_class
    return type(form_class.__name__, (InputRulesMixin, form_class), {"__module__": form_class.__module__})


def apply_input_rules_to_admin(site) -> None:
    """The Django admin's forms follow the input rules too: every registered model, its add form and its inlines
    (called once the admin modules are loaded, ``CoreConfig.ready``)."""
    for model_admin in site._registry.values():
        model_admin.form = with_input_rules(model_admin.form)
        if getattr(model_admin, "add_form", None) is not None:
            model_admin.add_form = with_input_rules(model_admin.add_form)
        for inline in model_admin.inlines:
            inline.form = with_input_rules(inline.form)


class FilterForm(InputRulesMixin, forms.Form):
    """The form of every list filter (``FilterSet.Meta.form``): search words follow the input rules too."""


class StyledFormMixin(InputRulesMixin):
    """The base of every SATGAS form: the input rules, Bootstrap classes and accessible errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)

    def full_clean(self):
        super().full_clean()
        mark_invalid(self)
