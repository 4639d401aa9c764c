from django.urls import path

from . import views

app_name = "speakers"
urlpatterns = [
    path("", views.portal, name="portal"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("invitation/<str:token>/", views.invitation_open, name="invitation_open"),
    path("invitations/<int:invitation_id>/reply/", views.invitation_respond, name="invitation_respond"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/<str:token>/", views.email_confirm, name="email_confirm"),
    path("papers/<int:paper_id>/", views.paper_detail, name="paper"),
    path("papers/<int:paper_id>/download/", views.paper_download, name="paper_download"),
    path("files/<int:file_id>/", views.file_download, name="file_download"),
    path("sessions/<int:session_id>/calendar.ics", views.session_ics, name="session_ics"),
    path("reviews/<int:assignment_id>/", views.review, name="review"),
    path("manage/<slug:forum_slug>/", views.manage_dashboard, name="manage"),
    path("manage/<slug:forum_slug>/remind/", views.manage_remind, name="manage_remind"),
    path("manage/<slug:forum_slug>/invitations/<int:invitation_id>/revoke/", views.manage_revoke,
         name="manage_revoke"),
    path("manage/<slug:forum_slug>/settings/", views.manage_settings, name="manage_settings"),
    path("manage/<slug:forum_slug>/papers/<int:paper_id>/", views.manage_paper, name="manage_paper"),
    path("manage/<slug:forum_slug>/proceedings/", views.manage_proceedings, name="manage_proceedings"),
    path("manage/<slug:forum_slug>/proceedings/<int:job_id>/download/", views.proceedings_download,
         name="proceedings_download"),
]
