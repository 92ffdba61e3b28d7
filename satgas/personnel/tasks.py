from celery import shared_task

from . import services

# A run cut short (killed worker, time limit) is resumed by the job sweep, which knows the import's state;
# the outbox only makes sure the task is delivered.


@shared_task(acks_late=True, time_limit=services.IMPORT_TIME_LIMIT, soft_time_limit=services.IMPORT_SOFT_TIME_LIMIT)
def personnel_import_check(import_id: int) -> None:
    services.personnel_import_run(import_id=import_id, apply=False)


@shared_task(acks_late=True, time_limit=services.IMPORT_TIME_LIMIT, soft_time_limit=services.IMPORT_SOFT_TIME_LIMIT)
def personnel_import_apply(import_id: int) -> None:
    services.personnel_import_run(import_id=import_id, apply=True)
