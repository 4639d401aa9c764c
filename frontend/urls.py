from django.urls import path

from . import views

app_name = "frontend"

forum = "forums/<slug:slug>/"
urlpatterns = [
    path("", views.forum_list, name="forum_list"),
    path("forums/ping", views.ping, name="ping"),
    path("digits/", views.set_digits, name="set_digits"),
    path(forum, views.forum_home, name="forum_home"),
    path(forum + "agenda/", views.agenda, name="agenda"),
    path(forum + "agenda/print/", views.print_agenda, name="print"),
    path(forum + "agenda.ics", views.calendar_forum, name="calendar_forum"),
    path(forum + "sessions/<int:session_id>/", views.session_detail, name="session"),
    path(forum + "sessions/<int:session_id>/calendar.ics", views.calendar_session, name="calendar_session"),
    path(forum + "halls/<int:hall_id>/calendar.ics", views.calendar_hall, name="calendar_hall"),
    path(forum + "tracks/<int:track_id>/calendar.ics", views.calendar_track, name="calendar_track"),
    path(forum + "speakers/", views.speakers, name="speakers"),
    path(forum + "speakers/<int:person_id>/", views.speaker_detail, name="speaker"),
    path(forum + "speakers/<int:person_id>/calendar.ics", views.calendar_person, name="calendar_person"),
    path(forum + "changes/", views.changes, name="changes"),
    path(forum + "my-agenda/", views.my_agenda, name="my_agenda"),
    path(forum + "my-agenda.ics", views.calendar_mine, name="calendar_mine"),
    path(forum + "schedule.xml", views.schedule_xml, name="schedule_xml"),
    path(forum + "schedule.json", views.schedule_json, name="schedule_json"),
]
