from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from ninety.api import views as api_views
from ninety.api.api import api
from ninety.people import invitation_views
from ninety.people import views as people_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html",
            success_url=reverse_lazy("password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password-change-done",
    ),
    path("account/invitation/<str:token>/", invitation_views.accept, name="invitation"),
    path("people/invitations/", invitation_views.invitations_page, name="invitations"),
    path("people/invitations/new/", invitation_views.create, name="invitation-create"),
    path(
        "people/invitations/<int:invitation_id>/revoke/",
        invitation_views.revoke,
        name="invitation-revoke",
    ),
    path("people/", people_views.people, name="people"),
    path("people/<int:person_id>/", people_views.person, name="person"),
    path(
        "people/<int:person_id>/high-potential/",
        people_views.toggle_high_potential,
        name="person-high-potential",
    ),
    path("playbook/", include("ninety.playbook.urls")),
    path("", include("ninety.home.urls")),
    path("", include("ninety.delegation.urls")),
    path("experiments/", include("ninety.experiments.urls")),
    path("goals/", include("ninety.goals.urls")),
    path("calls/", include("ninety.conversations.urls")),
    path("one-on-ones/", include("ninety.coaching.urls")),
    path("import/", include("ninety.ingest.urls")),
    path("inbox/", include("ninety.notify.urls")),
    path("account/time-zone/", people_views.set_time_zone, name="time-zone"),
    path("account/tokens/", api_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", api_views.revoke, name="token-revoke"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "ninety.errors.not_found"
