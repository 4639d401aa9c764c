from django.urls import path

from . import views

app_name = "calls"
urlpatterns = [
    path("link/<str:token>/", views.link_open, name="link_open"),
    path("co-author/<str:token>/", views.coauthor_confirm, name="coauthor_confirm"),
    path("<slug:forum_slug>/", views.call_page, name="call"),
    path("<slug:forum_slug>/sign-in/", views.sign_in, name="sign_in"),
    path("<slug:forum_slug>/mine/", views.portal, name="portal"),
    path("<slug:forum_slug>/mine/new/", views.submission_edit, name="new"),
    path("<slug:forum_slug>/mine/<int:submission_id>/", views.submission_edit, name="edit"),
    path("<slug:forum_slug>/mine/autosave/", views.autosave, name="autosave"),
    path("<slug:forum_slug>/mine/<int:submission_id>/file/", views.submission_file, name="file"),
    path("<slug:forum_slug>/reviews/", views.reviewer_list, name="reviews"),
    path("<slug:forum_slug>/manage/", views.manage, name="manage"),
    path("<slug:forum_slug>/manage/settings/", views.manage_settings, name="settings"),
    path("<slug:forum_slug>/manage/ranking/", views.manage_ranking, name="ranking"),
    path("<slug:forum_slug>/manage/statistics/", views.manage_statistics, name="statistics"),
    path("<slug:forum_slug>/manage/templates/", views.manage_templates, name="templates"),
    path("<slug:forum_slug>/manage/unscheduled/", views.manage_unscheduled, name="unscheduled"),
    path("<slug:forum_slug>/manage/export.<str:fmt>", views.manage_export, name="export"),
    path("<slug:forum_slug>/manage/<int:submission_id>/", views.manage_submission, name="manage_submission"),
]
