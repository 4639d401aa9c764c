"""The shape of a published agenda: what `sessions.selectors.agenda_snapshot_build` makes, what
`ScheduleVersion.snapshot` stores (JSON) and what the public pages, the public API, the exports and the
calendar invites read. One declared type for every reader; the stored data stays plain dicts.

Times are ISO 8601 strings with the forum's UTC offset; people are listed once under "people" (keyed by
their id as a string, JSON having only string keys) and named elsewhere by id.
"""

from __future__ import annotations

from typing import TypedDict


class SnapshotPerson(TypedDict):
    id: int
    honorific: str
    titles_ar: str
    titles_en: str
    full_name_ar: str
    full_name_en: str
    display_name_ar: str
    display_name_en: str
    position_ar: str
    position_en: str
    organization_ar: str
    organization_en: str
    bio_ar: str
    bio_en: str
    has_photo: bool


class SnapshotPaper(TypedDict):
    id: int
    title_ar: str
    title_en: str
    speaker_ids: list[int]


class SnapshotItem(TypedDict):
    id: int
    order: int
    kind: str
    title_ar: str
    title_en: str
    presenter_id: int | None
    duration_minutes: int | None
    paper: SnapshotPaper | None


class SnapshotRole(TypedDict):
    person_id: int
    role: str
    order: int


class SnapshotHonoree(TypedDict):
    person_id: int | None
    organization_ar: str
    organization_en: str
    reason: str
    gift: str
    order: int


class SnapshotSession(TypedDict):
    id: int
    number: int | None
    kind: str
    title_ar: str
    title_en: str
    description_ar: str
    description_en: str
    hall_id: int | None
    track_id: int | None
    starts_at: str
    ends_at: str
    status: str
    roles: list[SnapshotRole]
    items: list[SnapshotItem]
    honorees: list[SnapshotHonoree]


class SnapshotForum(TypedDict):
    id: int
    slug: str
    title_ar: str
    title_en: str
    edition: int | None
    time_zone: str
    first_day: str
    last_day: str
    venue_name_ar: str
    venue_name_en: str
    organizer_ar: str
    organizer_en: str
    department_ar: str
    department_en: str
    patron_id: int | None


class SnapshotHall(TypedDict):
    id: int
    name_ar: str
    name_en: str
    capacity: int | None
    order: int


class SnapshotTrack(TypedDict):
    id: int
    name_ar: str
    name_en: str
    color: str
    order: int


class AgendaSnapshot(TypedDict):
    schema: int
    forum: SnapshotForum
    halls: list[SnapshotHall]
    tracks: list[SnapshotTrack]
    people: dict[str, SnapshotPerson]
    sessions: list[SnapshotSession]
