"""The six-monthly report's stale-claim sweep ran hourly (minute 45); it now runs every 5 minutes, so an
interrupted delivery is found within 15 minutes of its lease ending. Beat never overwrites an existing schedule
row (satgas/core/beat.py), so the row an installation already has is moved here — only if it still has the old
default (an admin's own change is kept)."""

from django.db import migrations


def every_five_minutes(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    task = PeriodicTask.objects.filter(name="semester-report-sweep", crontab__isnull=False).select_related("crontab").first()
    if task is None:
        return
    old = task.crontab
    if (old.minute, old.hour, old.day_of_month, old.month_of_year, old.day_of_week) != ("45", "*", "*", "*", "*"):
        return
    new, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5", hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone=old.timezone
    )
    task.crontab = new
    task.save(update_fields=["crontab"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(every_five_minutes, migrations.RunPython.noop)]
