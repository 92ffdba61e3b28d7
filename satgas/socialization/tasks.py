from celery import shared_task

from . import services

# A run cut short (killed worker, time limit) is resumed by the job sweep (satgas.core.jobs).


@shared_task(
    acks_late=True,
    time_limit=services.ATTENDANCE_IMPORT_TIME_LIMIT,
    soft_time_limit=services.ATTENDANCE_IMPORT_SOFT_TIME_LIMIT,
)
def attendance_import_run(import_id: int) -> None:
    services.attendance_import_run(import_id=import_id)
