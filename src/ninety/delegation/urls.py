"""Delegation and attention pages, included at the site root."""

from __future__ import annotations

from django.urls import path

from ninety.delegation import views

urlpatterns = [
    path("delegation/", views.delegation, name="delegation"),
    path("delegation/tasks/new/", views.new_task, name="delegation-task-new"),
    path(
        "delegation/tasks/<int:task_id>/delegate/",
        views.delegate_existing,
        name="delegation-task-delegate",
    ),
    path("delegation/tasks/<int:task_id>/done/", views.task_done, name="delegation-task-done"),
    path("delegation/<int:delegation_id>/outcome/", views.outcome, name="delegation-outcome"),
    path("delegation/<int:delegation_id>/review/", views.review, name="delegation-review"),
    path("delegation/<int:delegation_id>/cancel/", views.cancel, name="delegation-cancel"),
    path(
        "delegation/people/<int:person_id>/high-potential/",
        views.high_potential,
        name="delegation-high-potential",
    ),
    path("attention/", views.attention_page, name="attention"),
    path("attention/import/", views.attention_import, name="attention-import"),
    path("attention/entries/", views.attention_entry, name="attention-entry"),
    path("attention/rules/", views.attention_rule, name="attention-rule"),
    path(
        "attention/rules/<int:rule_id>/delete/",
        views.attention_rule_delete,
        name="attention-rule-delete",
    ),
]
