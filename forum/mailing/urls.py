from django.urls import path

from . import views

app_name = "mailing"
urlpatterns = [
    path("organize/<slug:forum_slug>/outbox/", views.outbox, name="outbox"),
    path("organize/<slug:forum_slug>/outbox/<int:message_id>/", views.outbox_message, name="outbox_message"),
    path("organize/<slug:forum_slug>/outbox/<int:message_id>/resend/", views.outbox_resend, name="outbox_resend"),
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
