"""Admin views of tasks, delegations, time and calendar rules (for RevOps support)."""

from __future__ import annotations

from django.contrib import admin

from ninety.delegation.models import CalendarRule, Delegation, TacticalTask, TimeEntry


@admin.register(TacticalTask)
class TacticalTaskAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "category", "status", "due")
    list_filter = ("status", "category")
    search_fields = ("title", "owner__name")


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("task", "delegate", "coachee", "status", "created_at")
    list_filter = ("status",)


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    list_display = ("leader", "start", "minutes", "category", "source", "title")
    list_filter = ("category", "source")


@admin.register(CalendarRule)
class CalendarRuleAdmin(admin.ModelAdmin):
    list_display = ("org", "leader", "order", "title_pattern", "category")
