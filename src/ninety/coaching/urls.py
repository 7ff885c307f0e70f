"""One-on-one pages, included at ``/one-on-ones/``."""

from __future__ import annotations

from django.urls import path

from ninety.coaching import views

urlpatterns = [
    path("", views.one_on_ones, name="one-on-ones"),
    path("schedule/", views.schedule, name="one-on-one-schedule"),
    path("<int:meeting_id>/", views.meeting, name="one-on-one"),
    path("<int:meeting_id>.ics", views.invitation, name="one-on-one-ics"),
    path("<int:meeting_id>/open/", views.open_meeting, name="one-on-one-open"),
    path("<int:meeting_id>/prep/", views.prep, name="one-on-one-prep"),
    path("<int:meeting_id>/delegate/", views.delegate, name="one-on-one-delegate"),
    path("<int:meeting_id>/self-report/", views.self_report, name="one-on-one-self-report"),
    path("<int:meeting_id>/talk/", views.talk, name="one-on-one-talk"),
    path("<int:meeting_id>/save/", views.save, name="one-on-one-save"),
    path("<int:meeting_id>/commitments/", views.commitment, name="one-on-one-commitment"),
    path(
        "<int:meeting_id>/commitments/<int:commitment_id>/experiment/",
        views.experiment,
        name="one-on-one-experiment",
    ),
    path("<int:meeting_id>/summary/", views.summary, name="one-on-one-summary"),
]
