"""Small nameko dependencies every service may declare beside its ``Store``."""
from __future__ import annotations

import logging
from datetime import date

from nameko.extensions import DependencyProvider

from shared import metrics
from shared.calendar import WorkingDayCalendar

log = logging.getLogger(__name__)


class WorkingDays(DependencyProvider):
    """The working-day calendar of rule C-WD, with its fallback wired to a metric.

    Read once at start-up (a malformed operator table stops the service with a clear error);
    ``amr_calendar_fallback_years`` counts the years computed weekends-only.
    """

    def setup(self) -> None:
        service = self.container.service_name
        gauge = metrics.CALENDAR_FALLBACK_YEARS.labels(service)
        gauge.set(0)
        self.calendar = WorkingDayCalendar(on_fallback=lambda year: gauge.inc())
        next_year = date.today().year + 1
        if not self.calendar.has_data(next_year):
            log.warning("no holiday data for %s yet: deadlines in %s will count weekends only until an "
                        "operator adds the State Council's schedule to the holiday table (HOLIDAY_TABLE)",
                        next_year, next_year)

    def get_dependency(self, worker_ctx) -> WorkingDayCalendar:
        return self.calendar
