from django.urls import path

from ninety.goals import views

urlpatterns = [
    path("reps/<int:person_id>/", views.rep_goals, name="rep-goals"),
    path("reps/<int:person_id>/suggest/", views.rep_suggest, name="rep-goals-suggest"),
    path("reps/<int:person_id>/add/", views.rep_add, name="rep-goals-add"),
    path("<int:goal_id>/edit/", views.goal_edit, name="goal-edit"),
    path("teams/<int:team_id>/", views.team_goals, name="team-goals"),
    path("teams/<int:team_id>/add/", views.team_add, name="team-goals-add"),
    path("org/", views.org_goals, name="org-goals"),
    path("org/add/", views.org_add, name="org-goals-add"),
    path("teams/<int:team_id>/weights/", views.team_weights, name="team-weights"),
    path("export.csv", views.export, name="goals-export"),
    path("import/", views.import_goals, name="goals-import"),
]
