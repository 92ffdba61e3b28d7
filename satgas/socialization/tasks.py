from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=10 * 60, soft_time_limit=9 * 60)
def attendance_import_run(import_id: int) -> None:
    services.attendance_import_run(import_id=import_id)
