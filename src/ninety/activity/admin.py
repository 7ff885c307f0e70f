from django.contrib import admin

from ninety.activity.models import Activity, Deal, Quota


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "person", "type", "outcome", "way", "source")
    list_filter = ("type", "source")
    raw_id_fields = ("person", "deal", "way")
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # counting millions of rows on every page is slow


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("external_id", "account", "owner", "product", "stage", "value", "status")
    list_filter = ("status", "product")
    raw_id_fields = ("owner",)
    search_fields = ("external_id", "account")


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("person", "period", "amount")
    list_filter = ("period",)
    raw_id_fields = ("person",)
