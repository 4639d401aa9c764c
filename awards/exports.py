"""CSV and XLSX exports of a cycle: nominations and results (written as registration's exports are)."""

from __future__ import annotations

from django.utils import timezone

from registration.selectors import _safe_cell as safe_cell
from registration.selectors import export_csv, export_xlsx

from . import selectors


def nominations_rows(*, cycle):
    yield ["reference", "category", "group", "kind", "nominee", "nominee_organization", "applicant",
           "applicant_email", "self_nominated", "status", "submitted_at", "screening_reason"]
    for n in selectors.nominations_for_staff(cycle=cycle).iterator(chunk_size=500):
        organization = n.nominee_organization or (n.nominee_person.organization if n.nominee_person_id else None)
        yield [safe_cell(v) for v in [
            n.reference, n.category.name_ar, n.category.group_ar, n.category.kind, n.nominee_name_ar,
            organization.name_ar if organization else "", n.applicant.display_name_ar, n.applicant.email,
            "yes" if n.self_nominated else "no", n.status,
            timezone.localtime(n.submitted_at).strftime("%Y-%m-%d %H:%M") if n.submitted_at else "",
            n.screening_reason,
        ]]


def results_rows(*, cycle):
    yield ["category", "rank", "tied", "nominee", "judges", "judged_score", "adjustment", "score", "spread",
           "divergent", "tier", "winner", "order_on_stage"]
    for r in selectors.results_table(cycle=cycle):
        yield [safe_cell(v) for v in [
            r.category.name_ar, r.rank, "yes" if r.tied else "no", r.nomination.nominee_name_ar, r.judges,
            float(r.judged_score), float(r.adjustment), float(r.score), float(r.spread),
            "yes" if r.divergent else "no", r.tier.name_ar if r.tier_id else "", "yes" if r.is_winner else "no",
            r.honor_order or "",
        ]]


TABLES = {"nominations": nominations_rows, "results": results_rows}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_table(*, cycle, what: str, fmt: str) -> tuple[bytes, str]:
    rows = TABLES[what](cycle=cycle)
    content = export_xlsx(rows, title=what) if fmt == "xlsx" else export_csv(rows)
    return content, CONTENT_TYPES[fmt]
