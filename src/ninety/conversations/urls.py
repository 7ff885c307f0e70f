from django.urls import path

from ninety.conversations import views

urlpatterns = [
    path("import/", views.call_import, name="call-import"),
    path("<int:call_id>/", views.call_detail, name="call"),
]
