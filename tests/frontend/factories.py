"""Forums with a published agenda, small (factories) and big (bulk_create), for the public side's tests."""

from __future__ import annotations

from datetime import timedelta

from forum.models import Hall, Organization, Person, Track
from sessions.models import Session, SessionItem, SessionRole
from sessions.services import schedule_publish
from speakers.models import WorkingPaper
from tests.factories import (
    ForumFactory,
    HallFactory,
    HonoreeFactory,
    PersonFactory,
    SessionFactory,
    SessionItemFactory,
    SessionRoleFactory,
    TrackFactory,
    WorkingPaperFactory,
    at,
)


def small_agenda(forum=None, *, publish: bool = True) -> dict:
    """Two halls, a theme, an opening, two overlapping paper sessions (one with a paper), a cancelled one."""
    forum = forum or ForumFactory()
    main = HallFactory(forum=forum, name_ar="القاعة الكبرى", name_en="Grand Hall", order=1)
    side = HallFactory(forum=forum, name_ar="قاعة الياسمين", name_en="Jasmine Hall", order=2)
    theme = TrackFactory(forum=forum, name_ar="التحول الرقمي", name_en="Digital transformation", color="#1d4ed8")
    chair = PersonFactory(honorific="engineer", full_name_ar="طارق العمري", full_name_en="Tariq Al-Omari",
                          position_ar="مدير عام المساندة الفنية", position_en="Director General of Technical Support")
    speaker = PersonFactory(honorific="doctor", full_name_ar="سارة القحطاني", full_name_en="Sarah Al-Qahtani")
    panelist = PersonFactory(honorific="saada", full_name_ar="خالد الزهراني", full_name_en="Khalid Al-Zahrani")
    day = forum.first_day
    opening = SessionFactory(forum=forum, hall=main, kind=Session.Kind.OPENING, title_ar="حفل الافتتاح",
                             title_en="Opening ceremony", starts_at=at(9, day=day), ends_at=at(10, day=day))
    first = SessionFactory(forum=forum, hall=main, track=theme, number=1, title_ar="الجودة في الخدمات البلدية",
                           title_en="Quality in municipal services", starts_at=at(10, 30, day=day),
                           ends_at=at(12, day=day))
    second = SessionFactory(forum=forum, hall=side, number=2, kind=Session.Kind.SYMPOSIUM,
                            title_ar="حوار مع رؤساء البلديات", title_en="Dialogue with the mayors",
                            starts_at=at(11, day=day), ends_at=at(12, 30, day=day))
    cancelled = SessionFactory(forum=forum, hall=side, number=3, title_ar="جلسة ملغاة", title_en="A cancelled session",
                               starts_at=at(9, day=day + timedelta(days=1)),
                               ends_at=at(10, day=day + timedelta(days=1)), status=Session.Status.CANCELLED)
    SessionRoleFactory(session=first, person=chair, role=SessionRole.Role.CHAIR)
    SessionRoleFactory(session=first, person=speaker, role=SessionRole.Role.SPEAKER, order=1)
    SessionRoleFactory(session=second, person=panelist, role=SessionRole.Role.PANELIST)
    item = SessionItemFactory(session=first, kind=SessionItem.Kind.PAPER, title_ar="", presenter=speaker, order=1)
    paper = WorkingPaperFactory(forum=forum, title_ar="التحول الرقمي في الأمانات", title_en="Digital municipalities",
                                session_item=item)
    paper.speakers.add(speaker)
    SessionItemFactory(session=opening, kind=SessionItem.Kind.QURAN, title_ar="تلاوة القرآن الكريم",
                       title_en="Quran recitation", order=1)
    HonoreeFactory(forum=forum, session=first, person=speaker)
    version = schedule_publish(forum=forum) if publish else None
    return {"forum": forum, "halls": [main, side], "track": theme, "chair": chair, "speaker": speaker,
            "panelist": panelist, "opening": opening, "first": first, "second": second, "cancelled": cancelled,
            "paper": paper, "version": version}


def big_agenda(*, days: int = 3, halls: int = 6, sessions: int = 300, people: int = 900, publish: bool = True):
    """A generated forum of `days` days, `halls` halls, `sessions` sessions and `people` people, built in bulk."""
    forum = ForumFactory()
    forum.last_day = forum.first_day + timedelta(days=days - 1)
    forum.save(update_fields=["last_day"])
    org = Organization.objects.create(name_ar=f"جهة {forum.slug}", name_en=f"Body {forum.slug}")
    hall_rows = Hall.objects.bulk_create(
        [Hall(forum=forum, name_ar=f"قاعة {n}", name_en=f"Hall {n}", order=n) for n in range(halls)]
    )
    track_rows = Track.objects.bulk_create(
        [Track(forum=forum, name_ar=f"محور {n}", name_en=f"Theme {n}", order=n) for n in range(4)]
    )
    person_rows = Person.objects.bulk_create([
        Person(honorific="doctor", full_name_ar=f"شخص {forum.pk}-{n}", full_name_en=f"Person {forum.pk}-{n}",
               position_ar="مدير", position_en="Director", organization=org)
        for n in range(people)
    ])
    per_slot = halls
    slots_per_day = -(-sessions // (days * per_slot))
    session_rows = []
    for n in range(sessions):
        day, rest = divmod(n, slots_per_day * per_slot)
        slot, hall = divmod(rest, per_slot)
        starts = at(8, day=forum.first_day + timedelta(days=day)) + timedelta(minutes=45 * slot)
        session_rows.append(Session(
            forum=forum, number=n + 1, kind=Session.Kind.PAPERS, title_ar=f"جلسة {n + 1}", title_en=f"Session {n + 1}",
            hall=hall_rows[hall], track=track_rows[n % 4], starts_at=starts, ends_at=starts + timedelta(minutes=40),
        ))
    session_rows = Session.objects.bulk_create(session_rows)
    roles, items = [], []
    for n, session in enumerate(session_rows):
        chair, speaker, panelist = (person_rows[(3 * n + k) % people] for k in range(3))
        roles += [SessionRole(session=session, person=chair, role="chair", order=0),
                  SessionRole(session=session, person=speaker, role="speaker", order=1),
                  SessionRole(session=session, person=panelist, role="panelist", order=2)]
        items.append(SessionItem(session=session, kind="paper", order=1, presenter=speaker, duration_minutes=20))
    SessionRole.objects.bulk_create(roles)
    items = SessionItem.objects.bulk_create(items)
    papers = WorkingPaper.objects.bulk_create([
        WorkingPaper(forum=forum, title_ar=f"ورقة {n}", title_en=f"Paper {n}", session_item=item)
        for n, item in enumerate(items)
    ])
    through = WorkingPaper.speakers.through
    through.objects.bulk_create([
        through(workingpaper_id=paper.pk, person_id=item.presenter_id) for paper, item in zip(papers, items, strict=True)
    ])
    version = schedule_publish(forum=forum) if publish else None
    return {"forum": forum, "version": version, "sessions": session_rows}
