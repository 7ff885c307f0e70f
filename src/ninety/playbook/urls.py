"""Playbook pages, included at ``/playbook/``."""

from __future__ import annotations

from django.urls import path

from ninety.playbook import editor_views, views

urlpatterns = [
    path("", views.playbook, name="playbook"),
    path("template/", views.install_template, name="playbook-template"),
    path("behaviors/<int:behavior_id>/propose/", views.propose_way, name="playbook-propose"),
    path(
        "ways/<int:way_id>/<str:decision>/",
        views.decide_way,
        name="playbook-decide",
    ),
    path("diff/", views.diff, name="playbook-diff"),
    path("export.yaml", views.export_yaml, name="playbook-export"),
    path("edit/", editor_views.edit, name="playbook-edit"),
    path("edit/draft/<str:action>/", editor_views.draft_action, name="playbook-draft"),
    path("edit/add/<str:kind>/<int:parent_id>/", editor_views.add_item, name="playbook-add"),
    path(
        "edit/<str:kind>/<int:item_id>/<str:action>/",
        editor_views.item_action,
        name="playbook-item",
    ),
]
