"""The call's panels on pages of the apps below: the builder's "accepted, not yet scheduled" list."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from sessions.models import Session
from sessions.signals import builder_panels

from . import selectors


@receiver(builder_panels)
def unscheduled_panel(sender, forum, request, can_edit, **kwargs) -> str:
    if not can_edit:
        return ""
    papers = list(selectors.accepted_unscheduled(forum=forum))
    sessions = list(Session.objects.filter(forum=forum).order_by("starts_at", "id")) if papers else []
    return render_to_string("calls/_builder_panel.html", {"forum": forum, "papers": papers, "sessions": sessions,
                                                          "next": request.get_full_path()}, request=request)
