from django.urls import path

from . import views

app_name = "badges"
urlpatterns: list = [
    path("badge/<str:access_token>/", views.badge, name="badge"),
    path("badge/<str:access_token>/badge.pdf", views.badge_pdf, name="badge_pdf"),
    path("badge/<str:access_token>/badge.png", views.badge_png, name="badge_png"),
    path("<slug:forum_slug>/scanner/", views.scanner, name="scanner"),
    path("<slug:forum_slug>/attendance/", views.attendance, name="attendance"),
    path("<slug:forum_slug>/print/", views.print_jobs, name="print"),
    path("<slug:forum_slug>/print/<int:job_id>/badges.pdf", views.print_job_file, name="print_file"),
]
