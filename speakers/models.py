"""Working papers (أوراق عمل) and who presents them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum, Person
from sessions.models import SessionItem


class WorkingPaper(BilingualMixin, models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="papers", verbose_name=_("forum"))
    title_ar = models.CharField(_("title (Arabic)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    abstract_ar = models.TextField(_("abstract (Arabic)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    speakers = models.ManyToManyField(Person, related_name="papers", verbose_name=_("speakers"))
    session_item = models.OneToOneField(
        SessionItem, verbose_name=_("presented at"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="paper",
    )

    class Meta:
        verbose_name = _("working paper")
        verbose_name_plural = _("working papers")
        ordering = ["forum", "id"]

    def __str__(self) -> str:
        return self.title_ar

    @property
    def title(self) -> str:
        return self.localized("title")
