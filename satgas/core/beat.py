"""Beat's scheduler: django-celery-beat's database scheduler, with code-declared entries that
the Django admin may edit.

The stock ``DatabaseScheduler.setup_schedule`` calls ``update_from_dict(CELERY_BEAT_SCHEDULE)``,
which runs ``PeriodicTask.update_or_create`` for every entry: each time beat starts, the times,
arguments and the enabled flag an admin changed in ``/django-admin/django_celery_beat/`` are
overwritten by the code. This scheduler creates an entry declared in code only when no periodic
task of that name exists yet; an existing row is used as the admin left it (disabled included).
Consequences, by design: a declared entry an admin deleted is created again at the next start
(disable it instead of deleting it), and changing an entry's schedule in code does not reach a
database that already has the row — change it in the admin, or delete the row so the next start
recreates it from the code.

Beat also hands every periodic task to the outbox (``satgas.core.outbox``) instead of the broker, with the key
``beat:<entry>:<minute>``: a run that Redis lost (a restart, a flush) is handed over again until it finished, and
a beat restarted within the same minute does not queue it twice. Only the relay itself (``outbox-relay``, which
must reach the worker when everything else waits) is sent straight to the broker.
"""

import logging

from celery.beat import SchedulingError
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler as StockDatabaseScheduler

logger = logging.getLogger(__name__)


class DatabaseScheduler(StockDatabaseScheduler):
    def update_from_dict(self, mapping):
        """Like the stock method (django-celery-beat 2.9), but never overwrites an existing row."""
        existing = {task.name: task for task in PeriodicTask.objects.filter(name__in=list(mapping))}
        entries = {}
        for name, fields in mapping.items():
            try:
                if name in existing:
                    entry = self.Entry(existing[name], app=self.app)
                else:
                    entry = self.Entry.from_entry(name, app=self.app, **fields)
                if entry.model.enabled:
                    entries[name] = entry
            except Exception as exc:  # noqa: BLE001 - as the stock scheduler: one bad entry must not stop beat
                logger.exception("Cannot add entry %r to the database schedule: %r. Contents: %r", name, exc, fields)
        self.schedule.update(entries)

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        if entry.task in DIRECT:
            # One try: while Redis is away the relay has nothing to do, and publish retries would stall beat.
            entry.options = {**(entry.options or {}), "retry": False}
            return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        from satgas.core import outbox

        entry = self.reserve(entry) if advance else entry
        try:
            close_old_connections()
            minute = timezone.now().strftime("%Y-%m-%dT%H:%M")
            with transaction.atomic():
                return outbox.enqueue(
                    entry.task,
                    args=list(entry.args or ()),
                    kwargs=dict(entry.kwargs or {}),
                    key=f"beat:{entry.name}:{minute}",
                )
        except Exception as exc:  # noqa: BLE001 - as the stock scheduler: reported, beat goes on
            raise SchedulingError(f"Couldn't apply scheduled task {entry.name}: {exc}") from exc
        finally:
            self._tasks_since_sync += 1
            if self.should_sync():
                self._do_sync()


# Sent straight to the broker: the relay must not wait in the outbox it empties.
DIRECT = frozenset({"satgas.core.tasks.outbox_relay"})
