"""Demo award programmes from the seed reports (called from the demo seed with one line).

Seed 001: the Amin Excellence Award of the Eastern Province Municipality, its second cycle
(nominations from 15/8/2021, final ceremony 11/11/2021), two groups and seven categories, and
the stages the report names (training and workshops, auditing and initial screening, field
visits by the judging committee, results).

Seed 004: Bahrain's «تقييم» programme for government service centres, its five criteria
and the gold tier won by the customer service centre of Hamad Town (Northern Municipality),
2019.

Everything the reports do not state is marked illustrative: weights, maximum scores, tier
thresholds other than the existence of the gold tier, the other nominees, the judges,
scores, the visit, and the cycle's other dates. Loading is idempotent: a rerun changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from forum.models import Organization, Person

from . import services
from .models import (
    Category,
    Criterion,
    Cycle,
    JudgeAssignment,
    Nomination,
    Programme,
    ProgrammeMember,
    Question,
    RequiredDocument,
    Tier,
)

RIYADH = ZoneInfo("Asia/Riyadh")
BAHRAIN = ZoneInfo("Asia/Bahrain")

AMIN_GROUPS = [
    ("التميز المؤسسي", "Institutional excellence", "institutional", [
        ("التميز المؤسسي لبلديات الحاضرة", "Institutional excellence: city municipalities"),
        ("التميز المؤسسي للبلديات المرتبطة", "Institutional excellence: linked municipalities"),
        ("التميز المؤسسي للإدارات العامة", "Institutional excellence: general departments"),
    ]),
    ("التميز الوظيفي", "Job excellence", "individual", [
        ("الموظف القيادي المتميز", "Distinguished leader"),
        ("الموظف الإداري المتميز", "Distinguished administrative employee"),
        ("الموظف المساند المتميز", "Distinguished support employee"),
        ("الموظف المبتكر", "Innovative employee"),
    ]),
]
# Illustrative criteria (the report says only that criteria exist); weights add up to 100.
AMIN_CRITERIA = {
    "institutional": [
        ("القيادة والتخطيط الاستراتيجي", "Leadership and strategic planning", 20),
        ("التركيز على المستفيد ورضاه", "Customer focus and satisfaction", 25),
        ("تطوير آليات تقديم الخدمات", "Service delivery improvement", 25),
        ("التعامل مع الشكاوى والاقتراحات", "Handling complaints and suggestions", 15),
        ("النتائج والأداء", "Results and performance", 15),
    ],
    "individual": [
        ("الإنجازات", "Achievements", 35),
        ("الإبداع والابتكار", "Creativity and innovation", 25),
        ("التطوير الذاتي", "Self-development", 20),
        ("العمل الجماعي", "Teamwork", 20),
    ],
}
# The five criteria are stated in seed 004; equal weights are illustrative.
TAQYEEM_CRITERIA = [
    ("سهولة الوصول إلى المركز", "Ease of access to the centre"),
    ("التميز في توفير الخدمة", "Excellence in providing the service"),
    ("ملائمة بيئة المركز", "Suitability of the centre's environment"),
    ("سلاسة إدارة العملاء", "Smooth customer management"),
    ("فاعلية العمليات الإدارية", "Effective administrative processes"),
]


@dataclass
class AwardsDemo:
    programmes: list[Programme] = field(default_factory=list)
    judges: list[str] = field(default_factory=list)


def _org(name_ar: str, name_en: str, kind: str = "other", parent: Organization | None = None) -> Organization:
    org, _created = Organization.objects.get_or_create(
        name_ar=name_ar, parent=parent, defaults={"name_en": name_en, "kind": kind}
    )
    return org


def _user(username: str, password: str, organization: Organization | None, name_ar: str, name_en: str):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username,
                                                     defaults={"email": f"{username}@example.org"})
    if created:
        user.set_password(password)
        user.save()
        Person.objects.get_or_create(
            email=f"{username}@example.org",
            defaults={"full_name_ar": name_ar, "full_name_en": name_en, "organization": organization, "user": user},
        )
    return user


def _person(name_ar: str, name_en: str, organization: Organization, email: str) -> Person:
    person, _created = Person.objects.get_or_create(
        email=email, defaults={"full_name_ar": name_ar, "full_name_en": name_en, "organization": organization}
    )
    return person


def _member(programme, user, *roles):
    for role in roles:
        ProgrammeMember.objects.get_or_create(programme=programme, user=user, role=role)
    user.__dict__.pop("_award_roles", None)  # roles are cached on the user for a request


def _score(nomination, judges, fractions):
    """Sheets for every judge on every top-level criterion at the given fraction of the maximum."""
    for judge, fraction in zip(judges, fractions, strict=False):
        sheets = {
            c.pk: {"points": str((Decimal(c.max_score) * Decimal(str(fraction))).quantize(Decimal("0.01"))),
                   "comment": "توضيحي"}
            for c in Criterion.objects.filter(category=nomination.category, parent=None)
        }
        services.score_sheets_save(nomination=nomination, user=judge, sheets=sheets)


def _amin(owner, judges, assessor) -> Programme:
    eastern = _org("أمانة المنطقة الشرقية", "Eastern Province Municipality", "municipality")
    programme, _created = Programme.objects.get_or_create(slug="amin-award", defaults={
        "kind": Programme.Kind.AWARD, "owner": eastern, "name_ar": "جائزة الأمين للتميز",
        "name_en": "Al-Amin Excellence Award",
        "description_ar": "جائزة تبني إطار عمل مؤسسيًا لتحسين مستوى الخدمات وتقديمها، وتطوير آليات التعامل مع "
                          "متلقي الخدمة كالشكاوى والاقتراحات وقياس الرضا. استُحدث التميز الوظيفي في الدورة الثانية "
                          "لتحفيز منسوبي الأمانة.",
        "description_en": "An award building an institutional framework to improve services and how they are "
                          "delivered, and how customers' complaints, suggestions and satisfaction are handled. "
                          "Job excellence was added in the second cycle to motivate the Municipality's staff.",
        "rules_ar": "مراحل الدورة: تدريب وورش عمل، ثم التدقيق والفرز الأولي، ثم الزيارات الميدانية من قبل لجنة "
                    "التحكيم للتأكد من تطبيق المعايير المطلوبة وفقًا لأنظمة وأحكام الجائزة، ثم إعلان النتائج.",
        "rules_en": "Stages: training and workshops, then auditing and initial screening, then field visits by the "
                    "judging committee to confirm the criteria are applied as the award's rules require, then "
                    "the results.",
    })
    _member(programme, owner, ProgrammeMember.Role.OWNER, ProgrammeMember.Role.STAFF)
    for judge in judges:
        _member(programme, judge, ProgrammeMember.Role.JUDGE)
    _member(programme, assessor, ProgrammeMember.Role.ASSESSOR)
    cycle = Cycle.objects.filter(programme=programme, number=2).first()
    if cycle is None:
        cycle = Cycle.objects.create(
            programme=programme, number=2, year_label="2021", is_public=True,
            nominations_open=datetime.combine(date(2021, 8, 15), time(8), RIYADH),
            nominations_close=datetime.combine(date(2021, 9, 30), time(23, 59), RIYADH),
            screening_ends=date(2021, 10, 7), judging_ends=date(2021, 10, 21), visits_end=date(2021, 10, 31),
            results_date=date(2021, 11, 4), ceremony_date=date(2021, 11, 11), chair=judges[0],
            illustrative_note="تواريخ بدء الترشيح (15/8/2021) والحفل الختامي (11/11/2021) من الخبر؛ ما عداها "
                              "وكل الأوزان والمرشحين والدرجات توضيحي. | Opening and ceremony dates are from "
                              "the report; everything else is illustrative.",
        )
    order = 0
    categories = []
    for group_ar, group_en, kind, names in AMIN_GROUPS:
        for name_ar, name_en in names:
            category, created = Category.objects.get_or_create(
                cycle=cycle, name_ar=name_ar,
                defaults={"name_en": name_en, "group_ar": group_ar, "group_en": group_en, "kind": kind,
                          "order": order},
            )
            order += 1
            categories.append(category)
            if created:
                for i, (c_ar, c_en, weight) in enumerate(AMIN_CRITERIA[kind]):
                    Criterion.objects.create(category=category, name_ar=c_ar, name_en=c_en, weight=weight,
                                             max_score=10, order=i)
                RequiredDocument.objects.create(
                    category=category, name_ar="ملف المشاركة (توضيحي)", name_en="Entry file (illustrative)")
                Question.objects.create(category=category, label_ar="أبرز الإنجازات خلال العام",
                                        label_en="Main achievements this year")
            for judge in judges:
                JudgeAssignment.objects.get_or_create(category=category, judge=judge)
    if Nomination.objects.filter(cycle=cycle).exists():
        return programme
    # Illustrative entries: the city municipalities category, with scores, a visit and results.
    city = categories[0]
    applicant = _person("منسق الجائزة (توضيحي)", "Award coordinator (illustrative)", eastern,
                        "award-coordinator@example.org")
    entries = [
        ("بلدية الخبر", "Al-Khobar Municipality", (0.9, 0.86, 0.88)),
        ("بلدية الظهران", "Dhahran Municipality", (0.8, 0.78, 0.83)),
        ("بلدية القطيف", "Qatif Municipality", (0.7, 0.92, 0.62)),
    ]
    nominations = []
    for name_ar, name_en, fractions in entries:
        body = _org(name_ar, name_en, "baladiya", parent=eastern)
        nomination = Nomination.objects.create(
            cycle=cycle, category=city, applicant=applicant, nominee_organization=body,
            title="مشاركة توضيحية", status=Nomination.Status.ELIGIBLE,
            submitted_at=datetime.combine(date(2021, 9, 20), time(10), RIYADH),
            answers={str(city.questions.first().pk): "إنجازات توضيحية"},
        )
        nominations.append((nomination, fractions))
    for nomination, fractions in nominations:
        _score(nomination, judges, fractions)
    first = nominations[0][0]
    services.nomination_shortlist(nomination=first, user=owner)
    visit = services.visit_schedule(
        nomination=first, user=owner, starts_at=datetime.combine(date(2021, 10, 24), time(9), RIYADH),
        ends_at=datetime.combine(date(2021, 10, 24), time(11), RIYADH), address="الخبر (توضيحي)",
        assessors=[assessor, judges[0]],
    )
    services.visit_report(
        visit=visit, user=assessor, report="زيارة توضيحية: تحققت اللجنة من تطبيق معايير الجائزة.",
        checks={c.pk: (True, "") for c in Criterion.objects.filter(category=city, parent=None)},
        score_adjustment="1.5", adjustment_reason="توضيحي: تطبيق ميداني يفوق ما في الملف",
    )
    services.results_finalize(cycle=cycle, user=judges[0])
    return programme


def _taqyeem(owner, judges, assessor) -> Programme:
    ministry = _org("وزارة الأشغال وشؤون البلديات والتخطيط العمراني",
                    "Ministry of Works, Municipalities Affairs and Urban Planning", "ministry")
    northern = _org("بلدية المنطقة الشمالية", "Northern Municipality", "baladiya", parent=ministry)
    hamad = _org("مركز خدمة العملاء في مدينة حمد", "Hamad Town Customer Service Centre", "department",
                 parent=northern)
    iga = _org("هيئة المعلومات والحكومة الإلكترونية", "Information & eGovernment Authority", "authority")
    programme, _created = Programme.objects.get_or_create(slug="taqyeem", defaults={
        "kind": Programme.Kind.ASSESSMENT, "owner": iga, "blind_judging": True,
        "name_ar": "برنامج تقييم مراكز الخدمة الحكومية (تقييم)",
        "name_en": "Government Service Centres Evaluation Programme (Taqyeem)",
        "description_ar": "يُعنى بتقييم عمل مراكز خدمات العملاء في القطاعات الحكومية وفق معايير وضعتها لجنة "
                          "تقييم متخصصة في خمس فئات رئيسة، وتُصنَّف المراكز في فئات أعلاها الفئة الذهبية. "
                          "(الجهة المالكة للبرنامج توضيحية.)",
        "description_en": "Evaluates government customer service centres on criteria set by a specialised "
                          "evaluation committee in five main categories; centres are placed in tiers, the gold "
                          "tier the highest. (The owning body is illustrative.)",
    })
    _member(programme, owner, ProgrammeMember.Role.OWNER, ProgrammeMember.Role.STAFF)
    for judge in judges:
        _member(programme, judge, ProgrammeMember.Role.JUDGE)
    _member(programme, assessor, ProgrammeMember.Role.ASSESSOR)
    cycle = Cycle.objects.filter(programme=programme, number=1).first()
    if cycle is None:
        cycle = Cycle.objects.create(
            programme=programme, number=1, year_label="2019", is_public=True,
            nominations_open=datetime.combine(date(2019, 1, 1), time(8), BAHRAIN),
            nominations_close=datetime.combine(date(2019, 3, 31), time(23, 59), BAHRAIN),
            chair=judges[0],
            illustrative_note="الفئة الذهبية لمركز مدينة حمد والمعايير الخمسة من الخبر؛ الأوزان والحدود "
                              "والمراكز الأخرى والدرجات والمواعيد توضيحية. | The gold tier of Hamad Town and "
                              "the five criteria are from the report; the rest is illustrative.",
        )
    category, created = Category.objects.get_or_create(
        cycle=cycle, name_ar="مراكز خدمة العملاء الحكومية",
        defaults={"name_en": "Government customer service centres", "kind": Category.Kind.INSTITUTIONAL},
    )
    if created:
        for i, (c_ar, c_en) in enumerate(TAQYEEM_CRITERIA):
            Criterion.objects.create(category=category, name_ar=c_ar, name_en=c_en, weight=1, max_score=10, order=i)
    for judge in judges:
        JudgeAssignment.objects.get_or_create(category=category, judge=judge)
    for name_ar, name_en, minimum in (("الفئة الذهبية", "Gold tier", 85), ("الفئة الفضية (توضيحية)",
                                      "Silver tier (illustrative)", 70),
                                     ("الفئة البرونزية (توضيحية)", "Bronze tier (illustrative)", 55)):
        Tier.objects.get_or_create(cycle=cycle, name_ar=name_ar, defaults={"name_en": name_en,
                                                                          "min_score": minimum})
    if Nomination.objects.filter(cycle=cycle).exists():
        return programme
    applicant = _person("منسق الجودة (توضيحي)", "Quality coordinator (illustrative)", northern,
                        "taqyeem-coordinator@example.org")
    centres = [
        (hamad, (0.92, 0.9, 0.88)),
        (_org("مركز خدمة العملاء في المحرق (توضيحي)", "Muharraq service centre (illustrative)", "department",
              parent=ministry), (0.76, 0.74, 0.8)),
        (_org("مركز خدمة العملاء في سترة (توضيحي)", "Sitra service centre (illustrative)", "department",
              parent=ministry), (0.6, 0.66, 0.58)),
    ]
    nominations = []
    for body, fractions in centres:
        nomination = Nomination.objects.create(
            cycle=cycle, category=category, applicant=applicant, nominee_organization=body,
            status=Nomination.Status.SHORTLISTED if body == hamad else Nomination.Status.ELIGIBLE,
            submitted_at=datetime.combine(date(2019, 3, 20), time(10), BAHRAIN),
        )
        nominations.append((nomination, fractions))
    for nomination, fractions in nominations:
        _score(nomination, judges, fractions)
    visit = services.visit_schedule(
        nomination=nominations[0][0], user=owner, starts_at=datetime.combine(date(2019, 4, 14), time(9), BAHRAIN),
        ends_at=datetime.combine(date(2019, 4, 14), time(11), BAHRAIN), address="مدينة حمد، مملكة البحرين",
        assessors=[assessor],
    )
    services.visit_report(visit=visit, user=assessor,
                          report="زيارة توضيحية: تحقق المقيّمون من سهولة الوصول وبيئة المركز وإدارة العملاء.")
    services.results_finalize(cycle=cycle, user=judges[0])
    services.results_approve(cycle=cycle, user=judges[0])
    services.results_publish(cycle=cycle, user=owner)
    return programme


# The illustrative applicants' addresses (the judges' and the assessor's are <username>@example.org).
DEMO_APPLICANT_EMAILS = ("award-coordinator@example.org", "taqyeem-coordinator@example.org")


@transaction.atomic
def awards_demo_load(*, organizer_username: str = "organizer", password: str, entered_by=None) -> AwardsDemo:
    """Load both demo programmes; judges and the assessor sign in with the demo password.

    `entered_by`: the forum whose team entered these people in the shared directory (the demo
    forum), so that team may correct their e-mails as for any person it entered.
    """
    owner = get_user_model().objects.get(username=organizer_username)
    eastern = _org("أمانة المنطقة الشرقية", "Eastern Province Municipality", "municipality")
    judges = [
        _user("judge1", password, eastern, "محكّم أول (توضيحي)", "First judge (illustrative)"),
        _user("judge2", password, _org("جامعة الإمام عبدالرحمن بن فيصل (توضيحي)",
                                       "Imam Abdulrahman Bin Faisal University (illustrative)", "university"),
              "محكّم ثانٍ (توضيحي)", "Second judge (illustrative)"),
        _user("judge3", password, None, "محكّم ثالث (توضيحي)", "Third judge (illustrative)"),
    ]
    assessor = _user("assessor", password, None, "مقيّم ميداني (توضيحي)", "Field assessor (illustrative)")
    result = AwardsDemo(judges=[j.username for j in judges] + [assessor.username])
    result.programmes = [_amin(owner, judges, assessor), _taqyeem(owner, judges, assessor)]
    if entered_by is not None:
        emails = [user.email for user in (*judges, assessor)] + list(DEMO_APPLICANT_EMAILS)
        Person.objects.filter(email__in=emails, created_by_forum__isnull=True).update(created_by_forum=entered_by)
    return result

