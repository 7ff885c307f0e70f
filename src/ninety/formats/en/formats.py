"""Dates as every Ninety page writes them (ninety.core.dates): 'Thu 3 Dec 2026, 10:00'."""

from ninety.core.dates import DJANGO_DAY, DJANGO_WHEN

DATE_FORMAT = DJANGO_DAY
DATETIME_FORMAT = DJANGO_WHEN
SHORT_DATE_FORMAT = DJANGO_DAY
SHORT_DATETIME_FORMAT = DJANGO_WHEN
