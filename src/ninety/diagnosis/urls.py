from django.urls import path

from ninety.diagnosis import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reps/<int:person_id>/", views.rep, name="rep"),
]
