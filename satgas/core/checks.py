"""System checks of the background-work settings."""

from django.conf import settings
from django.core.checks import Warning


def tasks_fit_the_visibility_timeout(app_configs=None, **kwargs):
    """Every task's hard time limit (plus the outbox's margin) stays below the broker's visibility timeout: a
    running task is never delivered a second time, and a killed worker's task runs again within 10 minutes."""
    from django.utils.module_loading import autodiscover_modules

    from satgas.celery import app

    from .outbox import RUN_LEASE_MARGIN

    autodiscover_modules("tasks")  # (not Celery's import_default_modules: it runs these checks itself)
    timeout = settings.SATGAS_BROKER_VISIBILITY_TIMEOUT
    problems = []
    for name, task in sorted(app.tasks.items()):
        if not name.startswith("satgas."):
            continue
        limit = task.time_limit or app.conf.task_time_limit
        if limit is None or limit + RUN_LEASE_MARGIN > timeout:
            problems.append(
                Warning(
                    f"Task {name}: time limit {limit} s (+{RUN_LEASE_MARGIN} s) is not below the broker's visibility "
                    f"timeout ({timeout} s): a long run would be delivered twice, a killed one comes back late.",
                    hint="Split the work into shorter tasks or lower the limit (SATGAS_BROKER_VISIBILITY_TIMEOUT).",
                    id="core.W002",
                )
            )
    return problems
