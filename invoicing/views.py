"""Organizers' pages of invoicing: the forum's invoices and credit notes (filters, totals per period,
CSV/XLSX, each document as PDF and UBL XML), the correction of an invoice (a credit note without a refund,
a replacement invoice) and the seller's billing settings.

Only owners and editors of the forum see any of it (forum.permissions.can_view_invoices);
other team members and outsiders get 404, anonymous visitors the login page.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forum import permissions as forum_permissions
from forum import spreadsheets
from forum.errors import DomainError
from forum.models import Forum

from . import rendering, selectors, services, ubl
from .forms import BillingSettingsForm, CorrectionForm, ReplacementForm
from .models import BillingSettings, Invoice


def _invoicing_view(view):
    def wrapped(request, slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        forum = forum_permissions.forum_for_page(request.user, slug, check=forum_permissions.can_view_invoices)
        return view(request, forum, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_safe
@_invoicing_view
def manage(request, forum: Forum):
    zone = selectors.forum_time_zone(forum)
    filters = selectors.filters_clean(request.GET)
    documents = selectors.documents_search(forum=forum, time_zone=zone, **filters)
    period = request.GET.get("period") if request.GET.get("period") in selectors.PERIODS else "month"
    return render(request, "invoicing/manage.html", {
        "forum": forum, "filters": filters, "period": period, "periods": list(selectors.PERIODS),
        "page": Paginator(documents, 50).get_page(request.GET.get("page")),
        "totals": selectors.totals_by_period(documents, period=period, time_zone=zone),
        "seller": services.seller_for(forum), "kinds": Invoice.Kind.choices, "query": request.GET.urlencode(),
    })


@require_safe
@_invoicing_view
def export(request, forum: Forum, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    zone = selectors.forum_time_zone(forum)
    documents = selectors.documents_search(forum=forum, time_zone=zone, **selectors.filters_clean(request.GET))
    rows = ([spreadsheets.safe_cell(value) for value in row]
            for row in selectors.export_rows(documents, time_zone=zone))
    if fmt == "xlsx":
        response = HttpResponse(spreadsheets.export_xlsx(rows, title=_("Invoices")),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(spreadsheets.export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invoices-{forum.slug}.{fmt}"'
    return response


def _document(forum: Forum, uuid) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("related", "seller"), forum=forum, uuid=uuid)


@require_safe
@_invoicing_view
def document_pdf(request, forum: Forum, uuid):
    document = _document(forum, uuid)
    response = HttpResponse(rendering.document_pdf(invoice=document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@_invoicing_view
def document_xml(request, forum: Forum, uuid):
    document = _document(forum, uuid)
    response = HttpResponse(ubl.document_xml(document), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.xml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _form_errors(form, exc: DomainError) -> None:
    for field, refusals in exc.errors.items():
        for message in refusals:
            form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET", "HEAD", "POST"])
@_invoicing_view
def document_correct(request, forum: Forum, uuid):
    """Correct an invoice: a credit note without a refund (full or partial, with a reason), then, for wrong
    buyer details, a replacement invoice once the original is credited in full. Owners and editors only
    (forum.permissions.can_correct_invoices); the original is never changed."""
    if not forum_permissions.can_correct_invoices(request.user, forum):
        raise Http404
    invoice = _document(forum, uuid)
    if invoice.kind != Invoice.Kind.INVOICE:
        raise Http404
    credit_form = CorrectionForm(initial={"action": "credit", "token": secrets.token_urlsafe(24)})
    replace_form = ReplacementForm(initial={
        "action": "replace", "buyer_name": invoice.buyer_name, "buyer_name_en": invoice.buyer_name_en,
        "buyer_email": invoice.buyer_email, "buyer_vat_number": invoice.buyer_vat_number,
        "buyer_address": invoice.buyer_address})
    if request.method == "POST":
        if request.POST.get("action") == "replace":
            replace_form = ReplacementForm(request.POST)
            form = replace_form
        else:
            credit_form = CorrectionForm(request.POST)
            form = credit_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is credit_form:
                    gross = services.amount_minor_parse(data["amount"], invoice.currency)
                    document = services.credit_note_correct(invoice=invoice, gross_minor=gross, reason=data["reason"],
                                                            idempotency_key=data["token"])
                    messages.success(request, _("Credit note %(number)s issued.") % {"number": document.number})
                else:
                    document = services.invoice_replace(invoice=invoice, buyer=services.Buyer(
                        name=data["buyer_name"], name_en=data["buyer_name_en"], email=data["buyer_email"],
                        vat_number=data["buyer_vat_number"], address=data["buyer_address"],
                        language=invoice.language))
                    messages.success(request, _("Replacement invoice %(number)s issued.") % {"number": document.number})
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                return redirect("invoicing:correct", forum.slug, invoice.uuid)
    notes = list(Invoice.objects.filter(related=invoice).select_related("reverses").order_by("sequence"))
    replacement = Invoice.objects.filter(replaces=invoice).first()
    left = services.creditable_minor(invoice)
    return render(request, "invoicing/correct.html", {
        "forum": forum, "invoice": invoice, "notes": notes, "replacement": replacement,
        "left": services.amount_display(left, invoice.currency), "can_credit": left > 0,
        "can_replace": left == 0 and replacement is None,
        "credit_form": credit_form, "replace_form": replace_form,
    }, status=400 if (credit_form.errors or replace_form.errors) else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@_invoicing_view
def seller_settings(request, forum: Forum):
    """The billing settings of the forum's organizing body (they serve all its forums)."""
    instance = BillingSettings.objects.filter(organization_id=forum.organizer_id).first()
    if request.method == "POST":
        form = BillingSettingsForm(request.POST, request.FILES, instance=instance)
        if form.is_valid():
            fields = {name: form.cleaned_data.get(name, "") for name in services.BILLING_FIELDS}
            try:
                services.billing_settings_save(organization=forum.organizer, logo=form.cleaned_data.get("logo"),
                                               **fields)
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Billing settings saved."))
                return redirect("invoicing:seller", forum.slug)
    else:
        form = BillingSettingsForm(instance=instance)
    return render(request, "invoicing/seller.html", {"forum": forum, "form": form, "seller": instance},
                  status=400 if form.errors else 200)
