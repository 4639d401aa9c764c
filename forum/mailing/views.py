"""The forum's outbox in the product, for its owners and editors: each message, its recipient,
status, attempts and body (personal links hidden), with "resend"; and the unsubscribe page behind
the List-Unsubscribe link of non-essential mail (GET shows a button, since link checkers open links;
POST unsubscribes, also as RFC 8058 one-click without a CSRF token: the signed token is the authority)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import permissions
from forum.errors import DomainError
from forum.models import Forum

from . import services
from .models import OutgoingMessage
from .rendering import redact_personal_links


def _outbox_forum(request, forum_slug: str):
    """(forum, refusal): outsiders get 404 (drafts are not confirmed to exist), other team members 403."""
    forum = get_object_or_404(Forum, slug=forum_slug)
    if not permissions.can_view_drafts(request.user, forum):
        raise Http404
    if not permissions.can_read_outbox(request.user, forum):
        return forum, HttpResponseForbidden(_("Only the forum's owners and editors see its outgoing e-mail."))
    return forum, None


@require_safe
def outbox(request, forum_slug: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum, refused = _outbox_forum(request, forum_slug)
    if refused:
        return refused
    rows = OutgoingMessage.objects.filter(forum=forum).order_by("-created_at", "-id").defer(
        "text_body", "html_body", "attachments"
    )
    status = request.GET.get("status", "")
    if status in OutgoingMessage.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "mailing/outbox.html", {
        "forum": forum, "page": page, "status": status, "statuses": OutgoingMessage.Status.choices,
    })


@require_safe
def outbox_message(request, forum_slug: str, message_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum, refused = _outbox_forum(request, forum_slug)
    if refused:
        return refused
    message = get_object_or_404(OutgoingMessage, pk=message_id, forum=forum)
    return render(request, "mailing/outbox_message.html", {
        "forum": forum, "message": message, "body": redact_personal_links(message.text_body),
        "attachments": [a.get("filename", "") for a in message.attachments or []],
    })


@require_POST
def outbox_resend(request, forum_slug: str, message_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum, refused = _outbox_forum(request, forum_slug)
    if refused:
        return refused
    message = get_object_or_404(OutgoingMessage, pk=message_id, forum=forum)
    try:
        services.message_resend(message=message)
        messages.success(request, _("The message is queued to be sent again."))
    except DomainError as exc:
        messages.error(request, next(m for ms in exc.errors.values() for m in ms))
    return redirect("mailing:outbox_message", forum_slug=forum.slug, message_id=message.pk)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        email, forum_id = services.unsubscribe_token_read(token)
    except DomainError as exc:
        return render(request, "mailing/unsubscribe.html", {"error": exc.errors["token"][0]}, status=404)
    forum = Forum.objects.filter(pk=forum_id).first() if forum_id else None
    done = False
    if request.method == "POST":
        services.address_unsubscribe(token=token)
        done = True
    return render(request, "mailing/unsubscribe.html", {"email": email, "forum": forum, "done": done})
