from django.urls import path

from ninety.experiments import views

urlpatterns = [
    path("", views.experiment_list, name="experiments"),
    path("new/", views.experiment_new, name="experiment-new"),
    path("<int:experiment_id>/", views.experiment_detail, name="experiment"),
    path("<int:experiment_id>/conclude/", views.experiment_conclude, name="experiment-conclude"),
]
