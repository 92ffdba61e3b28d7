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


@register.simple_tag
def idempotency_token():
    """The one-time token of a create form (``satgas.core.submissions``): put it next to ``{% csrf_token %}``."""
    from django.utils.html import format_html

    from satgas.core.submissions import TOKEN_FIELD, token_new

    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, token_new())


@register.filter
def bar_width(percent) -> str:
    """The CSS class giving a progress bar ``percent`` % of its width (``satgas-w-0`` … ``satgas-w-100``,
    static/css/satgas.css): a style attribute would need 'unsafe-inline' in the Content-Security-Policy."""
    try:
        value = float(percent)
    except (TypeError, ValueError):
        value = 0.0
    if value != value:  # NaN
        value = 0.0
    return f"satgas-w-{round(min(100.0, max(0.0, value)))}"
