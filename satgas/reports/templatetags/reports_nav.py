"""``{% if user|can_view_reports %}``: the navigation asks the reports app's own permission."""

from django import template

from satgas.reports import permissions

register = template.Library()


@register.filter
def can_view_reports(user) -> bool:
    return permissions.can_view(user)
