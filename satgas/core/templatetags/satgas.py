from django import template

from satgas.core.forms import mark_invalid, style_form

register = template.Library()


@register.filter
def styled(form):
    """Bootstrap classes and accessible error links on a form we did not write
    (allauth's), rendered with the project's field template."""
    style_form(form)
    if form.is_bound:
        mark_invalid(form)
    return form
