from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>/", views.answer, name="answer"),
    path("my-scores/", views.my_scores, name="my_scores"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/<int:survey_id>/", views.edit, name="edit"),
    path("<slug:slug>/results/", views.overview, name="overview"),
    path("<slug:slug>/results/<int:survey_id>/", views.results, name="results"),
    path("<slug:slug>/results/<int:survey_id>/export.<str:fmt>", views.export, name="export"),
]
