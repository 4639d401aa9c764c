"""The call's panels on pages of the apps below: the builder's "accepted, not yet scheduled" list and the
speaker portal's list of one's submissions (the portal's accounts are the submitters' accounts)."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from sessions.models import Session
from sessions.signals import builder_panels
from speakers.signals import portal_sections

from . import selectors


@receiver(builder_panels)
def unscheduled_panel(sender, forum, request, can_edit, **kwargs) -> str:
    if not can_edit:
        return ""
    papers = list(selectors.accepted_unscheduled(forum=forum))
    sessions = list(Session.objects.filter(forum=forum).order_by("starts_at", "id")) if papers else []
    return render_to_string("calls/_builder_panel.html", {"forum": forum, "papers": papers, "sessions": sessions,
                                                          "next": request.get_full_path()}, request=request)


@receiver(portal_sections)
def portal_submissions(sender, person, request, **kwargs) -> str:
    if person is None:
        return ""
    submissions = list(selectors.submissions_for_person(person=person))
    if not submissions:
        return ""
    return render_to_string("calls/_portal_panel.html", {"submissions": submissions}, request=request)
