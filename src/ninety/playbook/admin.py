from django.contrib import admin

from ninety.playbook.models import Behavior, DiagnosticQuestion, Playbook, Stage, Way


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "version", "status", "published_at")
    list_filter = ("status", "org")
    inlines = [StageInline]


class BehaviorInline(admin.TabularInline):
    model = Behavior
    extra = 0


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "playbook", "order", "entry_type", "exit_type")
    inlines = [BehaviorInline]


class WayInline(admin.TabularInline):
    model = Way
    extra = 0


class QuestionInline(admin.TabularInline):
    model = DiagnosticQuestion
    extra = 0


@admin.register(Behavior)
class BehaviorAdmin(admin.ModelAdmin):
    list_display = ("name", "stage", "order")
    inlines = [QuestionInline, WayInline]


@admin.register(Way)
class WayAdmin(admin.ModelAdmin):
    list_display = ("text", "behavior", "source", "status", "author")
    list_filter = ("status", "source")
