"""Public registration pages (Arabic first, English at /en/...)."""

from django.shortcuts import get_object_or_404, render

from forum.models import Forum


def register(request, slug: str):
    forum = get_object_or_404(Forum.objects.filter(status__in=[Forum.Status.PUBLISHED]), slug=slug)
    types = forum.registration_types.filter(is_active=True)
    return render(request, "registration/register.html", {"forum": forum, "types": types})
