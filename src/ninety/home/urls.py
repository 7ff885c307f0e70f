from django.urls import path

from ninety.home import audit, exports, feeds, search, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("overview/", views.overview, name="overview"),
    path("search/", search.search_page, name="search"),
    path("export/<str:what>.<str:fmt>", exports.export, name="export"),
    path("reps/<int:person_id>/", views.rep, name="rep"),
    path("help/", views.glossary, name="glossary"),
    path("audit/", audit.audit, name="audit"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar-feed"),
]
