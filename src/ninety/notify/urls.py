"""The inbox and its settings, included at ``/inbox/``."""

from __future__ import annotations

from django.urls import path

from ninety.notify import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:notification_id>/open/", views.open_notification, name="inbox-open"),
    path("read-all/", views.read_all, name="inbox-read-all"),
    path("settings/", views.settings_page, name="inbox-settings"),
    path("calendar/reset/", views.feed_reset, name="calendar-feed-reset"),
    path("calendar/revoke/", views.feed_revoke, name="calendar-feed-revoke"),
]
