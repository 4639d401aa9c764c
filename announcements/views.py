"""The organizers' messages pages: write, preview per recipient, test, send now or later, history.

Everything here shows or writes to people's addresses: owners and editors only
(`can_send_messages`); other team members are refused, outsiders do not learn
that a draft forum exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forum import permissions as forum_permissions
from forum.errors import DomainError
from forum.models import Forum

from . import selectors, services
from .forms import AnnouncementForm, ScheduleForm
from .models import Announcement


def _staff_page(view):
    def wrapped(request, slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        forum = get_object_or_404(Forum, slug=slug)
        if not forum_permissions.can_send_messages(request.user, forum):
            if forum.is_public or forum_permissions.can_view_drafts(request.user, forum):
                return HttpResponse(_("Only the forum's owners and editors write to its attendees."), status=403)
            raise Http404
        return view(request, forum, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _add_errors(form, exc: DomainError) -> None:
    for field, msgs in exc.errors.items():
        for message in msgs:
            form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET", "POST"])
@_staff_page
def index(request, forum: Forum):
    form = AnnouncementForm(request.POST or None, forum=forum)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_save(forum=forum, user=request.user, data=form.cleaned_data)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            return redirect("announcements:detail", forum.slug, announcement.pk)
    return render(request, "announcements/index.html", {
        "forum": forum, "form": form, "announcements": selectors.announcements_of_forum(forum=forum),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@_staff_page
def detail(request, forum: Forum, pk: int):
    announcement = get_object_or_404(Announcement.objects.select_related("registration_type", "session"),
                                     pk=pk, forum=forum)
    editable = announcement.status in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED)
    form = AnnouncementForm(initial={**{f: getattr(announcement, f) for f in services.TEXT_FIELDS},
                                     "segment": announcement.segment,
                                     "registration_type": announcement.registration_type,
                                     "session": announcement.session}, forum=forum)
    schedule_form = ScheduleForm()
    action_errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save":
                form = AnnouncementForm(request.POST, forum=forum)
                if form.is_valid():
                    services.announcement_save(forum=forum, user=request.user, data=form.cleaned_data,
                                               announcement=announcement)
                    return redirect("announcements:detail", forum.slug, announcement.pk)
            elif action == "test":
                services.announcement_test_send(announcement=announcement, user=request.user)
                messages.success(request, _("A test was sent to %(email)s.") % {"email": request.user.email})
                return redirect("announcements:detail", forum.slug, announcement.pk)
            elif action == "send":
                schedule_form = ScheduleForm(request.POST)
                if schedule_form.is_valid():
                    sent = services.announcement_send(announcement=announcement, at=schedule_form.cleaned_data["at"])
                    messages.success(request, _("Scheduled.") if sent.status == Announcement.Status.SCHEDULED
                                     else _("Sending."))
                    return redirect("announcements:detail", forum.slug, announcement.pk)
            elif action == "cancel":
                services.announcement_cancel(announcement=announcement)
                return redirect("announcements:detail", forum.slug, announcement.pk)
            else:
                raise DomainError(_("Unknown action."), field="action")
        except DomainError as exc:
            if form.is_bound:
                _add_errors(form, exc)
            else:
                action_errors = [message for msgs in exc.errors.values() for message in msgs]
        status = 400
    recipient, preview = services.announcement_preview(announcement=announcement,
                                                       email=request.GET.get("to", ""))
    history = Paginator(selectors.recipients_history(announcement=announcement, search=request.GET.get("q", "")),
                        100).get_page(request.GET.get("page"))
    return render(request, "announcements/detail.html", {
        "forum": forum, "announcement": announcement, "form": form, "schedule_form": schedule_form,
        "editable": editable, "recipient": recipient, "action_errors": action_errors, "preview": preview,
        "recipients": selectors.recipients_choices(announcement=announcement),
        "history": history, "counts": selectors.delivery_counts(announcement=announcement),
    }, status=status)
