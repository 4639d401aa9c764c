from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    """Tax invoices and credit notes. Its place: on the core and mailing, below registration.

    It imports only `forum` (the core) and `forum.mailing`; registration calls it through
    `invoicing.services` (`invoice_issue`, `credit_note_issue`, `seller_ready_errors`), never the
    other way round.
    """

    name = "invoicing"
    label = "invoicing"
    verbose_name = _("Invoicing")
