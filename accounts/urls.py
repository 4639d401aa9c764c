from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("sign-in/link/", views.link_request, name="link_request"),
    path("sign-in/link/<str:token>/", views.link_open, name="link_open"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("team/<slug:forum_slug>/", views.team, name="team"),
    path("team/<slug:forum_slug>/members/<int:member_id>/", views.team_member, name="team_member"),
    path("team/<slug:forum_slug>/invitations/<int:invitation_id>/withdraw/", views.invitation_withdraw,
         name="invitation_withdraw"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
