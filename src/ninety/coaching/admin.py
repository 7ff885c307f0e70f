"""Admin for one-on-ones. Private notes are deliberately not registered: only their author
reads them, and staff access to the admin is no exception."""

from __future__ import annotations

from django.contrib import admin

from ninety.coaching.models import Commitment, OneOnOne, OneOnOneSeries


@admin.register(OneOnOneSeries)
class OneOnOneSeriesAdmin(admin.ModelAdmin):
    list_display = ("leader", "rep", "cadence", "weekday", "time", "next_due", "active")
    list_filter = ("cadence", "active")


@admin.register(OneOnOne)
class OneOnOneAdmin(admin.ModelAdmin):
    list_display = ("rep", "leader", "held_by", "scheduled_at", "status", "focus_label")
    list_filter = ("status",)
    exclude = ("prep",)


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "meeting", "kept", "experiment_id")
