from django.contrib import admin

from ninety.people.models import Org, Person, Team


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "leader", "parent")
    list_filter = ("org",)
    raw_id_fields = ("leader", "parent")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "role", "team", "high_potential", "external_id", "org")
    list_filter = ("role", "high_potential", "org")
    search_fields = ("name", "email", "external_id")
    raw_id_fields = ("user", "team")
