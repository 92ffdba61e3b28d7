"""Integers beyond the database's range match no row, in every lookup (see ``satgas/core/limits.py``).

Django already answers "no row" for ``pk=99999999999999999999`` on an integer field (``IntegerFieldOverflow``,
Django 5.0) but not for ``pk__in=[...]`` (a multiple-choice form field checking its values) nor for a foreign
key (``user_id=...``): there SQLite raises ``OverflowError`` (PostgreSQL compares as numeric). These lookups
leave such values out first. Registered by ``CoreConfig.ready()``.
"""

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _range(field, connection):
    try:
        target = field.target_field if isinstance(field, ForeignObject) else field
        return connection.ops.integer_field_range(target.get_internal_type())
    except (KeyError, FieldError):  # not an integer column: a text key, several columns
        return None, None


def _in_range(value, low, high) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    return (low is None or value >= low) and (high is None or value <= high)


class _DropsOutOfRangeIn:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _range(self.lhs.output_field, connection)
            kept = [value for value in self.rhs if _in_range(value, low, high)]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)


@IntegerField.register_lookup
class IntegerFieldIn(_DropsOutOfRangeIn, In):
    pass


@ForeignObject.register_lookup
class ForeignKeyIn(_DropsOutOfRangeIn, RelatedIn):
    pass


@ForeignObject.register_lookup
class ForeignKeyExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _range(self.lhs.output_field, connection)
            if not _in_range(self.rhs, low, high):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)
