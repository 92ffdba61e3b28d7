from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=30 * 60, soft_time_limit=28 * 60)
def personnel_import_check(import_id: int) -> None:
    services.personnel_import_run(import_id=import_id, apply=False)


@shared_task(acks_late=True, time_limit=30 * 60, soft_time_limit=28 * 60)
def personnel_import_apply(import_id: int) -> None:
    services.personnel_import_run(import_id=import_id, apply=True)
