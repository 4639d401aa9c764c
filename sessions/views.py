"""The agenda builder page: a shell the builder's JavaScript fills from the REST API."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum import formatting as fmt
from forum import permissions as forum_permissions
from forum.models import Forum

from .models import Honoree, Prayer, Session


@require_safe  # the page only reads; the builder writes through the API
def builder(request, forum_slug: str):
    """Organizers only: team members read, owners and editors change. Others get 404 (drafts stay private)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum = forum_permissions.forum_for_page(request.user, forum_slug, queryset=Forum.objects.select_related("organizer"))
    can_edit = forum_permissions.can_edit_forum(request.user, forum)
    halls = list(forum.halls.all())
    digits = fmt.digits_of_request(request)
    config = {
        "forum": {
            "slug": forum.slug,
            "title": forum.title,
            "first_day": forum.first_day.isoformat(),
            "last_day": forum.last_day.isoformat(),
            "time_zone": forum.time_zone,
            "days": [d.isoformat() for d in forum.days],
        },
        "halls": [{"id": h.pk, "name": h.name, "capacity": h.capacity} for h in halls],
        "tracks": [{"id": t.pk, "name": t.name, "color": t.color} for t in forum.tracks.all()],
        "kinds": [[value, str(label)] for value, label in Session.Kind.choices],
        "roles": [[value, str(label)] for value, label in _roles()],
        "item_kinds": [[value, str(label)] for value, label in _item_kinds()],
        "prayers": [[value, str(label)] for value, label in Prayer.choices],
        "can_edit": can_edit,
        "api": f"/api/v1/forums/{forum.slug}/",
        "people_api": "/api/v1/people/",
        "changes_url": _changes_url(forum),
        "day_labels": {d.isoformat(): fmt.digits_for(day_label(d), digits) for d in forum.days},
        "language": get_language() or "ar",
        # The visitor's digit choice holds in the whole builder: its script writes every number with it.
        "digits": digits,
    }
    from .signals import builder_panels

    panels = [html for _receiver, html in builder_panels.send(sender=None, forum=forum, request=request,
                                                                 can_edit=can_edit) if html]
    return render(
        request, "sessions/builder.html",
        {"forum": forum, "config": config, "can_edit": can_edit, "strings": _strings(), "panels": panels},
    )


def day_label(day) -> str:
    """The day as people read it here: the Hijri date beside the Gregorian one."""
    language = get_language() or "ar"
    return f"{date_format(day, 'l j F Y')} — {fmt.hijri_date(day, language, digits='latn')}"


def _strings() -> dict:
    """Every sentence the builder's script shows, translated here once."""
    return {
        "no_hall": _("No hall (all)"),
        "time": _("Time"),
        "saved": _("Saved."),
        "refused": _("The change was refused:"),
        "stale": _("Someone else changed this session meanwhile. The agenda was reloaded; apply your change again."),
        "error": _("Something went wrong; nothing was changed."),
        "warnings": _("Warnings:"),
        "errors": _("Errors"),
        "no_conflicts": _("No conflicts."),
        "published": _("Published version %(number)s."),
        "publish_confirm": _("Publish the agenda as the public will see it?"),
        "cancel_confirm": _("Cancel this session? It stays on the agenda marked as cancelled."),
        "cancelled": _("Cancelled"),
        "version": _("Version %(number)s"),
        "no_versions": _("Not published yet."),
        "first_version": _("First publication."),
        "insert_break": _("Insert prayer break"),
        "override": _("set by hand"),
        "computed": _("computed"),
        "reset": _("Use the computed time"),
        "covered": _("prayer break set"),
        "no_prayer_times": _("Set the venue's coordinates to see prayer times."),
        "move_up": _("Move up"),
        "move_down": _("Move down"),
        "remove": _("Remove"),
        "minutes": _("min"),
        "new_session": _("New session"),
        "edit_session": _("Edit session"),
        "copied": _("The new edition is ready:"),
        "open_builder": _("open its builder"),
        "person_not_found": _("Choose a person from the list."),
        "warning_count": _("Warnings: %(count)s"),
        "prayer_time_label": _("%(prayer)s prayer time"),
        "read_only": _("You can look but not change this agenda."),
        "clock_invalid": _("Write the time as hours:minutes on a 24-hour clock, for example 13:30."),
        "number_invalid": _("Write a whole number."),
    }



def _roles():
    from .models import SessionRole

    return SessionRole.Role.choices


def _item_kinds():
    from .models import SessionItem

    return SessionItem.Kind.choices


def _changes_url(forum) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse("frontend:changes", kwargs={"slug": forum.slug})
    except NoReverseMatch:
        return ""


# ---- Honoring ceremony: run sheet, on-the-day page, gift inventory --------------------------------------


def _ceremony_forum(request, forum_slug: str):
    """The forum for a team member; None means "sign in first"; others get 404 (drafts stay private)."""
    if not request.user.is_authenticated:
        return None
    forum = get_object_or_404(Forum.objects.select_related("organizer", "patron"), slug=forum_slug)
    if not forum_permissions.can_view_drafts(request.user, forum):
        raise Http404
    return forum


def _ceremony_rows(forum) -> list[dict]:
    from . import selectors

    rows, moment, number = [], object(), 0
    for honoree in selectors.honors_in_protocol_order(selectors.honorees_for_ceremony(forum=forum)):
        number += 1
        gift = honoree.gift_item.name_ar if honoree.gift_item_id else ""
        with translation.override("ar"):
            gift_label = str(honoree.get_gift_display())
            reason = str(honoree.get_reason_display())
        rows.append({
            "honoree": honoree,
            "number": number,
            "new_moment": honoree.session_id != moment,
            "moment": honoree.session.title_ar if honoree.session_id else "ختام الملتقى",
            "name": selectors.honoree_name_ar(honoree),
            "title": selectors.honoree_title_ar(honoree),
            "reason": reason,
            "presenters": selectors.honor_presenters_ar(honoree),
            "gift": gift or gift_label,
            "gift_missing_engraving": bool(honoree.gift_item_id and honoree.gift_item.engraving_missing),
            "announcement": selectors.honor_announcement_ar(honoree),
            "done": honoree.status == honoree.Status.DONE,
        })
        moment = honoree.session_id
    return rows


@require_safe
def run_sheet(request, forum_slug: str):
    """The master of ceremonies' A4 run sheet, in Arabic, in protocol order (print it from the browser)."""
    forum = _ceremony_forum(request, forum_slug)
    if forum is None:
        return redirect_to_login(request.get_full_path())
    with translation.override("ar"):
        return render(request, "sessions/run_sheet.html", {
            "forum": forum, "rows": _ceremony_rows(forum), "LANGUAGE_CODE": "ar",
        })


def ceremony_live(request, forum_slug: str):
    """On the day: a phone page listing the honors in order, each with a button that marks it done."""
    from . import services

    forum = _ceremony_forum(request, forum_slug)
    if forum is None:
        return redirect_to_login(request.get_full_path())
    can_edit = forum_permissions.can_edit_forum(request.user, forum)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        honoree_id = request.POST.get("honoree", "")
        if not honoree_id.isdigit():
            return HttpResponseBadRequest(_("Choose an honor from the list."))
        honoree = get_object_or_404(Honoree, pk=int(honoree_id), forum=forum)
        services.honoree_mark(honoree=honoree, by=request.user, done=request.POST.get("done") != "0")
        return redirect(f"{reverse('sessions:ceremony_live', args=[forum.slug])}#honor-{honoree.pk}")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "sessions/ceremony_live.html", {
        "forum": forum, "rows": _ceremony_rows(forum), "can_edit": can_edit,
    })


@require_safe
def gift_inventory(request, forum_slug: str):
    """The gift inventory: needed, prepared, engravings, readiness; missing engravings flagged."""
    from . import selectors

    forum = _ceremony_forum(request, forum_slug)
    if forum is None:
        return redirect_to_login(request.get_full_path())
    items = selectors.gift_inventory(forum=forum)
    return render(request, "sessions/gift_inventory.html", {
        "forum": forum, "items": items,
        "missing_engravings": [i for i in items if i.engraving_missing],
        "not_ready": [i for i in items if not i.is_ready],
        "unassigned_honors": Honoree.objects.filter(forum=forum, gift_item__isnull=True)
        .exclude(gift=Honoree.Gift.UNSPECIFIED).count(),
    })
