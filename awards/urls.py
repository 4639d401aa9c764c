from django.urls import path

from . import views, views_setup

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("result/<str:code>/", views.result_verify, name="result_verify"),
    path("portal/", views.portal, name="portal"),
    path("portal/sign-in/", views.portal_signin, name="portal_signin"),
    path("portal/sign-in/<str:token>/", views.portal_signin_open, name="portal_signin_open"),
    path("portal/sign-out/", views.portal_signout, name="portal_signout"),
    path("portal/nominations/<int:nomination_id>/", views.portal_nomination, name="portal_nomination"),
    path("portal/<slug:slug>/<int:number>/new/", views.portal_new, name="portal_new"),
    path("documents/<int:file_id>/", views.document_download, name="document_download"),
    path("judge/nominations/<int:nomination_id>/", views.judge_score, name="judge_score"),
    path("judge/<slug:slug>/<int:number>/", views.judge_dashboard, name="judge"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:visit_id>/", views.visit_report, name="visit_report"),
    path("visits/photos/<int:photo_id>/<str:size>/", views.visit_photo, name="visit_photo"),
    path("setup/", views_setup.setup_index, name="setup"),
    path("setup/new/", views_setup.programme_new, name="setup_programme_new"),
    path("setup/<slug:slug>/", views_setup.programme_edit, name="setup_programme"),
    path("setup/<slug:slug>/members/", views_setup.members, name="setup_members"),
    path("setup/<slug:slug>/cycles/new/", views_setup.cycle_new, name="setup_cycle_new"),
    path("setup/<slug:slug>/<int:number>/", views_setup.cycle_setup, name="setup_cycle"),
    path("setup/<slug:slug>/<int:number>/tiers/", views_setup.tiers, name="setup_tiers"),
    path("setup/<slug:slug>/<int:number>/categories/<int:category_id>/", views_setup.category_setup,
         name="setup_category"),
    path("manage/<slug:slug>/<int:number>/", views.manage, name="manage"),
    path("manage/<slug:slug>/<int:number>/nominations/<int:nomination_id>/", views.manage_nomination,
         name="manage_nomination"),
    path("manage/<slug:slug>/<int:number>/results/", views.manage_results, name="manage_results"),
    path("manage/<slug:slug>/<int:number>/report/", views.report, name="report"),
    path("manage/<slug:slug>/<int:number>/export/<str:what>.<str:fmt>", views.export, name="export"),
    path("<slug:slug>/<int:number>/", views.cycle_page, name="cycle"),
]
