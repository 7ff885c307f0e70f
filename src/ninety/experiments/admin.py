from django.contrib import admin

from ninety.experiments.models import Experiment


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("pk", "org", "hypothesis", "metric", "start", "status", "verdict")
    list_filter = ("status", "metric", "org")
    search_fields = ("hypothesis", "subjects__name")
    raw_id_fields = ("created_by", "concluded_by", "behavior", "way")
    filter_horizontal = ("subjects", "control")
