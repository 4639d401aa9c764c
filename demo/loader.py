"""The demo forums, taken from the seed news reports, and their loader.

The data is declarative: organizations, people and two forums (the Makkah
forum of seed 002 and the Khobar forum of directors and mayors of seed 003)
as plain lists of dicts. Names, honorifics, positions and paper titles are
as the reports give them. What the reports do not state (dates, times, halls,
themes, ticket types, which bodies took part, what was given at an honoring)
is chosen to be plausible, and each forum says so in its notice, a small note
under its description on the public page, never in the description itself.

`demo_load()` writes it all idempotently: each row is found by a natural key
and saved only when a field differs, so a second run changes nothing (same
ids, same `updated_at`, no new published schedule version).

Over 600 lines because most of it is that data, transcribed from the reports;
the loader itself is the last hundred lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import models, transaction

from forum.models import Forum, Hall, Organization, OrganizationMember, Person, Sponsorship, TeamMember, Track

DEMO_ORGANIZER_USERNAME = "organizer"
DEMO_ORGANIZER_DEFAULT_PASSWORD = "forum-demo-1446"  # a demo account; the command prints it

ILLUSTRATIVE_AR = "بيانات العرض التجريبي: "
ILLUSTRATIVE_EN = "Demo data: "

# ---------------------------------------------------------------------------
# Organizations. `parent` names the key of the body a department belongs to.
# ---------------------------------------------------------------------------
ORGANIZATIONS: list[dict] = [
    {"key": "makkah_amanah", "name_ar": "أمانة العاصمة المقدسة", "name_en": "Holy Capital Municipality (Makkah)",
     "kind": "municipality"},
    {"key": "makkah_strategy", "parent": "makkah_amanah",
     "name_ar": "الإدارة العامة للإستراتيجية والتميز المؤسسي",
     "name_en": "General Department of Strategy and Institutional Excellence", "kind": "department"},
    {"key": "makkah_quality", "parent": "makkah_strategy",
     "name_ar": "إدارة الجودة والتميز المؤسسي",
     "name_en": "Department of Quality and Institutional Excellence", "kind": "department"},
    {"key": "makkah_emirate", "name_ar": "إمارة منطقة مكة المكرمة", "name_en": "Emirate of Makkah Region",
     "kind": "government"},
    {"key": "citc", "name_ar": "هيئة الاتصالات وتقنية المعلومات",
     "name_en": "Communications and Information Technology Commission", "kind": "authority"},
    {"key": "saudi_post", "name_ar": "مؤسسة البريد السعودي", "name_en": "Saudi Post Corporation",
     "kind": "government"},
    {"key": "municipal_council", "name_ar": "المجلس البلدي", "name_en": "Municipal Council (Makkah)",
     "kind": "council"},
    {"key": "riyadh_amanah", "name_ar": "أمانة منطقة الرياض", "name_en": "Riyadh Region Municipality",
     "kind": "municipality"},
    {"key": "eastern_amanah", "name_ar": "أمانة المنطقة الشرقية", "name_en": "Eastern Province Municipality",
     "kind": "municipality"},
    {"key": "eastern_reconstruction", "parent": "eastern_amanah",
     "name_ar": "وكالة التعمير والمشاريع", "name_en": "Deputyship for Reconstruction and Projects",
     "kind": "department"},
]

# ---------------------------------------------------------------------------
# People, with their titles exactly as the reports address them.
# ---------------------------------------------------------------------------
PEOPLE: list[dict] = [
    {"key": "khalid_alfaisal", "honorific": "hrh", "academic_title": "",
     "full_name_ar": "الأمير خالد الفيصل", "full_name_en": "Prince Khalid Al-Faisal",
     "position_ar": "مستشار خادم الحرمين الشريفين أمير منطقة مكة المكرمة",
     "position_en": "Advisor to the Custodian of the Two Holy Mosques and Emir of Makkah Region",
     "organization": "makkah_emirate"},
    {"key": "osama_albar", "honorific": "excellency", "academic_title": "doctor",
     "full_name_ar": "أسامة بن فضل البار", "full_name_en": "Osama bin Fadl Al-Bar",
     "position_ar": "أمين العاصمة المقدسة", "position_en": "Mayor of the Holy Capital (Makkah)",
     "organization": "makkah_amanah"},
    {"key": "tariq_alomari", "honorific": "engineer", "academic_title": "",
     "full_name_ar": "طارق بن حسن العمري", "full_name_en": "Tariq bin Hassan Al-Omari",
     "position_ar": "مدير عام المساندة الفنية", "position_en": "Director General of Technical Support",
     "organization": "citc"},
    {"key": "hamad_bannten", "honorific": "excellency", "academic_title": "doctor",
     "full_name_ar": "حمد بن صالح بنتن", "full_name_en": "Hamad bin Saleh Bannten",
     "position_ar": "رئيس مؤسسة البريد السعودي", "position_en": "President of Saudi Post",
     "organization": "saudi_post"},
    {"key": "mahmoud_kasnawi", "honorific": "saada", "academic_title": "doctor",
     "full_name_ar": "محمود كسناوي", "full_name_en": "Mahmoud Kasnawi",
     "position_ar": "نائب رئيس المجلس البلدي", "position_en": "Vice-President of the Municipal Council",
     "organization": "municipal_council"},
    {"key": "wael_helwani", "honorific": "engineer", "academic_title": "",
     "full_name_ar": "وائل بن صالح حلواني", "full_name_en": "Wael bin Saleh Helwani",
     "position_ar": "مساعد مدير عام خدمة العملاء", "position_en": "Assistant Director General of Customer Service",
     "organization": "makkah_amanah"},
    # The report names his body but not his position.
    {"key": "hassan_asiri", "honorific": "engineer", "academic_title": "",
     "full_name_ar": "حسن بن علي عسيري", "full_name_en": "Hassan bin Ali Asiri",
     "position_ar": "", "position_en": "", "organization": "riyadh_amanah"},
    {"key": "saad_mariq", "honorific": "excellency", "academic_title": "doctor",
     "full_name_ar": "سعد بن محمد مارق", "full_name_en": "Saad bin Mohammed Mariq",
     "position_ar": "مستشار سمو أمير منطقة مكة المكرمة", "position_en": "Advisor to the Emir of Makkah Region",
     "organization": "makkah_emirate"},
    {"key": "fahd_aljubair", "honorific": "excellency", "academic_title": "engineer",
     "full_name_ar": "فهد بن محمد الجبير", "full_name_en": "Fahd bin Mohammed Al-Jubair",
     "position_ar": "أمين المنطقة الشرقية", "position_en": "Mayor of the Eastern Province",
     "organization": "eastern_amanah"},
    {"key": "zaki_alomran", "honorific": "engineer", "academic_title": "",
     "full_name_ar": "زكي العمران", "full_name_en": "Zaki Al-Omran",
     "position_ar": "مدير عام إدارة الدراسات والتصاميم",
     "position_en": "Director General of Studies and Designs",
     "organization": "eastern_reconstruction"},
    {"key": "saleh_almulhim", "honorific": "engineer", "academic_title": "",
     "full_name_ar": "صالح بن عبدالعزيز الملحم", "full_name_en": "Saleh bin Abdulaziz Al-Mulhim",
     "position_ar": "وكيل الأمين للخدمات", "position_en": "Deputy Mayor for Services",
     "organization": "eastern_amanah"},
    {"key": "yousef_almaqhawi", "honorific": "engineer", "academic_title": "",
     "full_name_ar": "يوسف بن عبدالله المقهوي", "full_name_en": "Yousef bin Abdullah Al-Maqhawi",
     "position_ar": "مدير عام الحدائق والتجميل وعمارة البيئة",
     "position_en": "Director General of Parks, Beautification and Environmental Architecture",
     "organization": "eastern_amanah"},
    # The report gives him no title.
    {"key": "mohammed_alsufayan", "honorific": "", "academic_title": "",
     "full_name_ar": "محمد بن عبدالعزيز الصفيان", "full_name_en": "Mohammed bin Abdulaziz Al-Sufayan",
     "position_ar": "المشرف العام على إدارة العلاقات العامة والإعلام، المتحدث الرسمي",
     "position_en": "General Supervisor of Public Relations and Media, Official Spokesman",
     "organization": "eastern_amanah"},
]

# Every demo forum sells the same kinds of places.
# The reports mention no registration at all: every type is illustrative, and each forum names the
# ones it offers (an internal meeting sells no workshop places).
REGISTRATION_TYPES: list[dict] = [
    {"code": "general", "name_ar": "حضور عام", "name_en": "General attendance", "category": "general",
     "pricing": "free", "capacity": 400, "badge_color": "#14532d"},
    {"code": "vip", "name_ar": "كبار الشخصيات والمراسم", "name_en": "VIP / protocol", "category": "vip",
     "pricing": "invitation", "badge_color": "#b8860b"},
    {"code": "media", "name_ar": "الإعلاميون", "name_en": "Media", "category": "media", "pricing": "free",
     "requires_approval": True, "badge_color": "#1e3a8a"},
    {"code": "speaker", "name_ar": "المتحدثون ورؤساء الجلسات", "name_en": "Speakers and chairs",
     "category": "speaker", "pricing": "invitation", "badge_color": "#7f1d1d"},
    {"code": "workshop", "name_ar": "حضور ورشة العمل", "name_en": "Workshop attendance", "category": "general",
     "pricing": "paid", "price": Decimal("250.00"), "vat_rate": Decimal("15.00"), "capacity": 60,
     "badge_color": "#0f766e"},
]

# ---------------------------------------------------------------------------
# The forums. Session times are "HH:MM" on `day` (0 = first day) in the
# forum's zone. Items are in running order; honorees in order of the moment.
# ---------------------------------------------------------------------------
MAKKAH_SLUG = "makkah-quality-forum"
# Slugs of earlier demo versions, renamed in place so that a rerun keeps the same forum.
LEGACY_SLUGS = {"makkah-quality-forum-1440": MAKKAH_SLUG}
KHOBAR_SLUG = "khobar-directors-forum"

FORUMS: list[dict] = [
    {
        "slug": MAKKAH_SLUG,
        "title_ar": "ملتقى الجودة والتميز في الخدمات البلدية",
        "title_en": "Forum on Quality and Excellence in Municipal Services",
        "edition": 1,
        "organizer": "makkah_amanah",
        "organizing_department": "makkah_quality",
        "patron": "khalid_alfaisal",
        "venue_name_ar": "فندق برج الساعة (فيرمونت)",
        "venue_name_en": "Makkah Clock Royal Tower (Fairmont)",
        "venue_address_ar": "أبراج البيت، مكة المكرمة",
        "venue_address_en": "Abraj Al-Bait, Makkah",
        "latitude": Decimal("21.418900"),
        "longitude": Decimal("39.826200"),
        "time_zone": "Asia/Riyadh",
        "first_day": date(2018, 11, 13),  # Tuesday 5 Rabi' al-Awwal 1440
        "last_day": date(2018, 11, 13),
        "status": "published",
        "description_ar": (
            "افتتحه مستشار خادم الحرمين الشريفين صاحب السمو الملكي الأمير خالد الفيصل أمير منطقة مكة المكرمة، "
            "ونظمته أمانة العاصمة المقدسة بإشراف الإدارة العامة للإستراتيجية والتميز المؤسسي ممثلة في إدارة "
            "الجودة والتميز المؤسسي، لعرض ومناقشة التجارب المتميزة وتبادل الخبرات وتطوير آليات الإدارة والإشراف "
            "والتحكم وقياس الأداء في العمل البلدي."
        ),
        "notice_ar": (
            ILLUSTRATIVE_AR
            + "الخبر لا يذكر تاريخًا ولا أوقاتًا، فالتاريخ (الثلاثاء 5 ربيع الأول 1440هـ) والأوقات توضيحية، "
            "وكذلك القاعات والمحاور وأنواع التسجيل. ويذكر الخبر تكريم «الجهات الداعمة والمشاركة» دون تسميتها: "
            "الجهات الخمس المذكورة هنا هي جهات المتحدثين، على سبيل التوضيح. ولا يسمّي الخبر ما قُدّم للمتحدثين "
            "ولرئيس الندوة وللأمناء عند تكريمهم (فهو «غير مذكور»)، إلا الهدايا التذكارية في ختام الملتقى. "
            "ورد اسم رئيس مؤسسة البريد السعودي في الخبر «حمد بن صالح بنتن»، والمعروف «محمد»؛ أبقينا ما في الخبر."
        ),
        "notice_en": (
            ILLUSTRATIVE_EN
            + "the report gives no date or times, so the date (Tuesday 13 November 2018, 5 Rabi' al-Awwal 1440) "
            "and the times are illustrative, as are the halls, the themes and the registration types. The report "
            "honors \"the supporting and participating bodies\" without naming them: the five bodies listed here "
            "are the speakers' organizations, as an illustration. It does not say what the speakers, the "
            "symposium chair and the mayors were given when honored (\"not stated\"), only the commemorative "
            "gifts at the close. The report spells the Saudi Post president's first name «حمد» (Hamad); the "
            "usual form is «محمد» (Mohammed); the report's spelling is kept."
        ),
        "description_en": (
            "Opened by HRH Prince Khalid Al-Faisal, Advisor to the Custodian of the Two Holy Mosques and Emir of "
            "Makkah Region; organized by the Holy Capital Municipality through its Department of Quality and "
            "Institutional Excellence, to present and discuss distinguished experiences, exchange expertise and "
            "develop management, supervision, control and performance measurement in municipal work."
        ),
        "registration_types": ["general", "vip", "media", "speaker", "workshop"],
        "halls": [
            {"key": "ballroom", "name_ar": "القاعة الكبرى", "name_en": "Grand Ballroom", "capacity": 600,
             "order": 1},
            {"key": "workshop_room", "name_ar": "قاعة ورش العمل", "name_en": "Workshop Room", "capacity": 60,
             "order": 2},
        ],
        "tracks": [
            {"key": "services", "name_ar": "جودة الخدمات البلدية وخدمة المستفيدين",
             "name_en": "Quality of municipal services and customer service", "color": "#1b5e20", "order": 1},
            {"key": "performance", "name_ar": "تطوير آليات الإدارة والإشراف والتحكم وقياس الأداء في العمل البلدي",
             "name_en": "Management, supervision, control and performance measurement in municipal work",
             "color": "#0d47a1", "order": 2},
            {"key": "experiences", "name_ar": "التجارب المتميزة وتبادل الخبرات",
             "name_en": "Distinguished experiences and exchange of expertise", "color": "#6a1b9a", "order": 3},
        ],
        "sponsorships": [
            {"organization": "citc", "kind": "participant", "order": 1},
            {"organization": "saudi_post", "kind": "participant", "order": 2},
            {"organization": "riyadh_amanah", "kind": "participant", "order": 3},
            {"organization": "eastern_amanah", "kind": "participant", "order": 4},
            {"organization": "municipal_council", "kind": "participant", "order": 5},
        ],
        "sessions": [
            {
                "number": None, "kind": "opening", "hall": "ballroom",
                "title_ar": "حفل الافتتاح", "title_en": "Opening ceremony",
                "starts": "09:00", "ends": "09:50",
                "items": [
                    {"kind": "anthem", "title_ar": "السلام الملكي", "title_en": "Royal anthem", "minutes": 3},
                    {"kind": "quran", "title_ar": "القرآن الكريم", "title_en": "Recitation of the Holy Quran",
                     "minutes": 7},
                    {"kind": "speech", "title_ar": "كلمة هيئة الاتصالات وتقنية المعلومات",
                     "title_en": "Speech on behalf of the Communications and Information Technology Commission",
                     "presenter": "tariq_alomari", "minutes": 15},
                    {"kind": "speech", "title_ar": "كلمة معالي أمين العاصمة المقدسة",
                     "title_en": "Speech by the Mayor of the Holy Capital",
                     "presenter": "osama_albar", "minutes": 15},
                ],
            },
            {
                "number": 1, "kind": "papers", "hall": "ballroom", "track": "services",
                "title_ar": "الجلسة الأولى", "title_en": "First session",
                "starts": "10:00", "ends": "11:45",
                "roles": [
                    ("hamad_bannten", "chair"),
                    ("mahmoud_kasnawi", "speaker"),
                    ("tariq_alomari", "speaker"),
                    ("wael_helwani", "speaker"),
                    ("hassan_asiri", "speaker"),
                ],
                "items": [
                    {"kind": "paper", "presenter": "mahmoud_kasnawi", "minutes": 20,
                     "title_ar": "أداء مجالس البلدية في تطوير الخدمات البلدية",
                     "title_en": "The performance of municipal councils in developing municipal services"},
                    {"kind": "paper", "presenter": "tariq_alomari", "minutes": 20,
                     "title_ar": "جودة خدمة الإتصالات وتقنية المعلومات في هيئة الإتصالات وتقنية المعلومات",
                     "title_en": "Quality of communications and IT service at the Communications and "
                                 "Information Technology Commission"},
                    {"kind": "paper", "presenter": "wael_helwani", "minutes": 20,
                     "title_ar": "تجربة 940 خدمة العملاء أمانة العاصمة المقدسة",
                     "title_en": "The 940 customer service experience of the Holy Capital Municipality"},
                    # The report spells it «المستفدين»; corrected here.
                    {"kind": "paper", "presenter": "hassan_asiri", "minutes": 20,
                     "title_ar": "تشغيل مركز خدمة المستفيدين للخدمات الإلكترونية تواصل",
                     "title_en": "Operating the e-services beneficiary centre “Tawasul”"},
                    {"kind": "discussion", "title_ar": "حوار ومناقشات بين المتحدثين والضيوف",
                     "title_en": "Discussion between the speakers and the guests", "minutes": 15},
                    {"kind": "honoring", "title_ar": "تكريم المتحدثين", "title_en": "Honoring the speakers",
                     "presenter": "osama_albar", "minutes": 10},
                ],
                "honorees": [
                    {"person": p, "reason": "speaker", "gift": "unspecified", "presented_by": "osama_albar"}
                    for p in ("mahmoud_kasnawi", "tariq_alomari", "wael_helwani", "hassan_asiri")
                ],
            },
            {
                "number": None, "kind": "film", "hall": "ballroom",
                "title_ar": "فيلم وثائقي عن مختبر الصحة بأمانة العاصمة المقدسة",
                "title_en": "Documentary: the health laboratory of the Holy Capital Municipality",
                "starts": "11:45", "ends": "12:05",
                "items": [
                    {"kind": "film", "title_ar": "فيلم وثائقي عن مختبر الصحة",
                     "title_en": "Documentary on the health laboratory", "minutes": 15},
                ],
            },
            {
                "number": None, "kind": "prayer", "title_ar": "صلاة الظهر", "title_en": "Dhuhr prayer",
                "starts": "12:05", "ends": "12:40",
            },
            {
                "number": 2, "kind": "symposium", "hall": "ballroom", "track": "experiences",
                "title_ar": "ندوة مفتوحة: حوار مع الأمناء", "title_en": "Open symposium: dialogue with the mayors",
                "description_ar": "تحدث الأمناء عن الجودة والتميز كلٌّ في منطقته، وأبرز ما تميزوا به من خدمات "
                                  "ذات جودة عالية للمستفيدين، ثم نوقشت مداخلات الضيوف.",
                "description_en": "The mayors speak on quality and excellence in their own regions and their "
                                  "most distinctive high-quality services, then take the guests' questions.",
                "starts": "12:40", "ends": "13:50",
                "roles": [
                    ("saad_mariq", "chair"),
                    ("osama_albar", "panelist"),
                    ("fahd_aljubair", "panelist"),
                ],
                "items": [
                    {"kind": "speech", "presenter": "osama_albar", "minutes": 20,
                     "title_ar": "الجودة والتميز في العاصمة المقدسة",
                     "title_en": "Quality and excellence in the Holy Capital"},
                    {"kind": "speech", "presenter": "fahd_aljubair", "minutes": 20,
                     "title_ar": "الجودة والتميز في المنطقة الشرقية",
                     "title_en": "Quality and excellence in the Eastern Province"},
                    {"kind": "discussion", "title_ar": "مداخلات الضيوف مع الأمناء",
                     "title_en": "Guests' questions to the mayors", "minutes": 20},
                    {"kind": "honoring", "title_ar": "تكريم رئيس الجلسة والأمناء",
                     "title_en": "Honoring the chair and the mayors", "minutes": 10},
                ],
                "honorees": [
                    {"person": "saad_mariq", "reason": "chair", "gift": "unspecified"},
                    {"person": "fahd_aljubair", "reason": "mayor", "gift": "unspecified"},
                    {"person": "osama_albar", "reason": "mayor", "gift": "unspecified"},
                ],
            },
            {
                "number": None, "kind": "honoring", "hall": "ballroom",
                "title_ar": "حفل التكريم الختامي", "title_en": "Closing honoring ceremony",
                "starts": "13:50", "ends": "14:20",
                "items": [
                    {"kind": "honoring", "title_ar": "تكريم الجهات الداعمة والمشاركة والأمناء بهدايا تذكارية",
                     "title_en": "Commemorative gifts to the supporting and participating bodies and the mayors",
                     "minutes": 20},
                    {"kind": "honoring", "title_ar": "تكريم راعي الملتقى من قبل الجهات المشاركة",
                     "title_en": "The participating bodies honor the forum's patron", "minutes": 10},
                ],
                "honorees": [
                    *[
                        {"organization": org, "reason": "partner", "gift": "gift"}
                        for org in ("citc", "saudi_post", "riyadh_amanah", "eastern_amanah", "municipal_council")
                    ],
                    {"person": "osama_albar", "reason": "mayor", "gift": "gift"},
                    {"person": "fahd_aljubair", "reason": "mayor", "gift": "gift"},
                    # The report says "the participating bodies" honored him: a group named in words.
                    {"person": "khalid_alfaisal", "reason": "patron", "gift": "unspecified",
                     "presented_by_group_ar": "الجهات المشاركة", "presented_by_group_en": "the participating bodies"},
                ],
            },
        ],
    },
    {
        "slug": KHOBAR_SLUG,
        "title_ar": "ملتقى مدراء الإدارات ورؤساء البلديات",
        "title_en": "Forum of Department Directors and Mayors",
        "edition": 1,
        "organizer": "eastern_amanah",
        "organizing_department": None,
        "patron": None,
        "venue_name_ar": "الخبر",
        "venue_name_en": "Al-Khobar",
        "venue_address_ar": "الخبر، المنطقة الشرقية",
        "venue_address_en": "Al-Khobar, Eastern Province",
        "latitude": Decimal("26.217200"),
        "longitude": Decimal("50.197100"),
        "time_zone": "Asia/Riyadh",
        "first_day": date(2018, 12, 2),  # Sunday 24 Rabi' al-Awwal 1440
        "last_day": date(2018, 12, 2),
        "status": "published",
        "description_ar": (
            "ملتقى داخلي لأمانة المنطقة الشرقية يجمع مدراء الإدارات ورؤساء البلديات، افتتحه معالي أمين المنطقة "
            "الشرقية بكلمة عن أولويات العمل ورضا المستفيد، ثم استُعرضت مبادرات الأمانة ومشاريعها."
        ),
        "notice_ar": (
            ILLUSTRATIVE_AR
            + "يقول الخبر «صباح أمس في الخبر»، فالتاريخ (الأحد 24 ربيع الأول 1440هـ) والأوقات والقاعة والمحور "
            "وأنواع التسجيل توضيحية."
        ),
        "notice_en": (
            ILLUSTRATIVE_EN
            + "the report only says \"yesterday morning in Al-Khobar\"; the date (Sunday 2 December 2018, "
            "24 Rabi' al-Awwal 1440), the times, the hall, the theme and the registration types are illustrative."
        ),
        "description_en": (
            "An internal forum of the Eastern Province Municipality for its department directors and mayors, "
            "opened by the Mayor with a speech on priorities and beneficiary satisfaction, followed by "
            "presentations of the municipality's initiatives and projects."
        ),
        # An internal meeting of the municipality's own staff: no paid workshop, no media accreditation.
        "registration_types": ["general", "vip", "speaker"],
        "halls": [
            {"key": "main", "name_ar": "قاعة الاجتماعات الرئيسية", "name_en": "Main meeting hall",
             "capacity": 250, "order": 1},
        ],
        "tracks": [
            {"key": "initiatives", "name_ar": "مبادرات الأمانة ومشاريعها",
             "name_en": "The municipality's initiatives and projects", "color": "#1b5e20", "order": 1},
        ],
        "sponsorships": [],
        "sessions": [
            {
                "number": None, "kind": "opening", "hall": "main",
                "title_ar": "افتتاح الملتقى", "title_en": "Opening",
                "starts": "08:30", "ends": "09:00",
                "items": [
                    {"kind": "speech", "presenter": "fahd_aljubair", "minutes": 25,
                     "title_ar": "كلمة معالي أمين المنطقة الشرقية: أولويات العمل ورضا المستفيد",
                     "title_en": "Speech by the Mayor of the Eastern Province: work priorities and "
                                 "beneficiary satisfaction"},
                ],
            },
            {
                "number": 1, "kind": "presentations", "hall": "main", "track": "initiatives",
                "title_ar": "برنامج الملتقى", "title_en": "Forum programme",
                "starts": "09:00", "ends": "10:30",
                "roles": [
                    ("fahd_aljubair", "chair"),
                    ("zaki_alomran", "speaker"),
                    ("saleh_almulhim", "speaker"),
                    ("yousef_almaqhawi", "speaker"),
                    ("mohammed_alsufayan", "speaker"),
                ],
                "items": [
                    {"kind": "presentation", "presenter": "zaki_alomran", "minutes": 25,
                     "title_ar": "مبادرات وكالة التعمير ونسب إنجازها ومستجدات مشروع تطوير وسط العوامية",
                     "title_en": "The Reconstruction Deputyship's initiatives, their progress, and the "
                                 "Awamiyah downtown development project"},
                    {"kind": "presentation", "presenter": "saleh_almulhim", "minutes": 20,
                     "title_ar": "خدمة بلاغات 940 وإنجازاتها منذ انطلاقها عام 2015م",
                     "title_en": "The 940 reports service and its achievements since 2015"},
                    {"kind": "presentation", "presenter": "yousef_almaqhawi", "minutes": 20,
                     "title_ar": "مبادرات إدارة الحدائق والتجميل ومبادرة التشجير #نزرعها_لننعم_بها",
                     "title_en": "Parks and beautification initiatives and the tree-planting initiative "
                                 "#WePlantToEnjoy"},
                    {"kind": "presentation", "presenter": "mohammed_alsufayan", "minutes": 20,
                     "title_ar": "إنجازات الأمانة في مجال الإعلام وخطواتها المستقبلية",
                     "title_en": "The municipality's media achievements and next steps"},
                ],
            },
        ],
    },
]


# ---------------------------------------------------------------------------
# The loader.
# ---------------------------------------------------------------------------
@dataclass
class DemoResult:
    forums: list[Forum] = field(default_factory=list)
    published: list[Forum] = field(default_factory=list)
    organizer_username: str = DEMO_ORGANIZER_USERNAME
    organizer_password: str = ""


DEMO_BADGE_VALID_DAYS_AFTER = 3650


def demo_email(key: str) -> str:
    return f"{key.replace('_', '.')}@example.org"


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Find by natural key; create, or save only the fields that differ (so reruns touch nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


def _at(forum: Forum, day: int, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(forum.days[day], time(hour, minute), tzinfo=ZoneInfo(forum.time_zone))


def _load_forum(data: dict, orgs: dict, people: dict, organizer_user) -> Forum:
    from registration.models import RegistrationType
    from sessions.models import Honoree, Session, SessionItem, SessionRole
    from speakers.models import WorkingPaper

    skip = {"slug", "organizer", "organizing_department", "patron", "halls", "tracks", "sponsorships",
            "sessions", "registration_types"}
    for old, new in LEGACY_SLUGS.items():
        if new == data["slug"] and not Forum.objects.filter(slug=new).exists():
            Forum.objects.filter(slug=old).update(slug=new)
    forum = _upsert(
        Forum,
        {"slug": data["slug"]},
        {
            **{k: v for k, v in data.items() if k not in skip},
            "organizer": orgs[data["organizer"]],
            "organizing_department": orgs.get(data["organizing_department"]),
            "patron": people.get(data["patron"]),
        },
    )
    halls = {
        h["key"]: _upsert(Hall, {"forum": forum, "name_ar": h["name_ar"]},
                          {k: v for k, v in h.items() if k not in ("key", "name_ar")})
        for h in data["halls"]
    }
    tracks = {
        t["key"]: _upsert(Track, {"forum": forum, "name_ar": t["name_ar"]},
                          {k: v for k, v in t.items() if k not in ("key", "name_ar")})
        for t in data["tracks"]
    }
    for s in data["sponsorships"]:
        _upsert(Sponsorship, {"forum": forum, "organization": orgs[s["organization"]]},
                {"kind": s["kind"], "order": s["order"], "tier": s.get("tier", Sponsorship.Tier.SUPPORTING)})

    for s in data["sessions"]:
        values = {
            "kind": s["kind"],
            "title_en": s["title_en"],
            "description_ar": s.get("description_ar", ""),
            "description_en": s.get("description_en", ""),
            "hall": halls.get(s.get("hall")),
            "track": tracks.get(s.get("track")),
            "starts_at": _at(forum, s.get("day", 0), s["starts"]),
            "ends_at": _at(forum, s.get("day", 0), s["ends"]),
        }
        if s["number"] is not None:
            session = _upsert(Session, {"forum": forum, "number": s["number"]},
                              {**values, "title_ar": s["title_ar"]})
        else:
            values.pop("kind")
            session = _upsert(Session, {"forum": forum, "number": None, "kind": s["kind"],
                                        "title_ar": s["title_ar"]}, values)
        for order, (person_key, role) in enumerate(s.get("roles", []), start=1):
            _upsert(SessionRole, {"session": session, "person": people[person_key], "role": role},
                    {"order": order})
        for order, item in enumerate(s.get("items", []), start=1):
            row = _upsert(
                SessionItem,
                {"session": session, "order": order},
                {
                    "kind": item["kind"],
                    "title_ar": item.get("title_ar", ""),
                    "title_en": item.get("title_en", ""),
                    "presenter": people.get(item.get("presenter")),
                    "duration_minutes": item.get("minutes"),
                },
            )
            if item["kind"] == SessionItem.Kind.PAPER:
                paper = _upsert(WorkingPaper, {"forum": forum, "title_ar": item["title_ar"]},
                                {"title_en": item["title_en"], "session_item": row, "session": session})
                speaker = people[item["presenter"]]
                if list(paper.speakers.all()) != [speaker]:
                    paper.speakers.set([speaker])
        for order, h in enumerate(s.get("honorees", []), start=1):
            who = ({"person": people[h["person"]], "organization": None} if "person" in h
                   else {"person": None, "organization": orgs[h["organization"]]})
            _upsert(
                Honoree,
                {"forum": forum, "session": session, "reason": h["reason"], **who},
                {
                    "gift": h["gift"],
                    "presented_by": people.get(h.get("presented_by")),
                    "presented_by_organization": orgs.get(h.get("presented_by_organization")),
                    "presented_by_group_ar": h.get("presented_by_group_ar", ""),
                    "presented_by_group_en": h.get("presented_by_group_en", ""),
                    "order": order,
                    "note": h.get("note", ""),
                },
            )

    offered = data["registration_types"]
    for order, r in enumerate((r for r in REGISTRATION_TYPES if r["code"] in offered), start=1):
        _upsert(RegistrationType, {"forum": forum, "code": r["code"]},
                {**{k: v for k, v in r.items() if k != "code"}, "order": order, "is_active": True})
    # A type an earlier demo offered is closed, not deleted (registrations may point to it).
    RegistrationType.objects.filter(forum=forum, is_active=True).exclude(code__in=offered).update(is_active=False)

    # The reported forums took place in 2018; their badges would scan as
    # expired. The demo keeps them valid for ten years so the scanner can be tried.
    from registration.badges.models import BadgeSettings

    _upsert(BadgeSettings, {"forum": forum}, {"valid_days_after": DEMO_BADGE_VALID_DAYS_AFTER})

    _upsert(TeamMember, {"forum": forum, "user": organizer_user}, {"role": TeamMember.Role.OWNER})
    _load_ceremony_and_certificates(forum, organizer_user)
    return forum


def _load_ceremony_and_certificates(forum: Forum, organizer_user) -> None:
    """A gift inventory for the honoring, and appreciation certificates for the first session's speakers
    (the default design: the demo forums have none of their own). Reruns change nothing."""
    from certificates import services as certificate_services
    from sessions.models import GiftItem, Session

    _upsert(GiftItem, {"forum": forum, "name_ar": "درع تذكاري"},
            {"kind": GiftItem.Kind.SHIELD, "name_en": "Commemorative shield", "quantity_needed": 8,
             "quantity_prepared": 8, "engraving_ar": "تقديرًا لمشاركتكم في " + forum.title_ar,
             "engraving_en": f"In appreciation of your part in the {forum.title_en or forum.title_ar}"})
    _upsert(GiftItem, {"forum": forum, "name_ar": "هدية تذكارية"},
            {"kind": GiftItem.Kind.GIFT, "name_en": "Commemorative gift", "quantity_needed": 10,
             "quantity_prepared": 6, "needs_engraving": False})
    first = Session.objects.filter(forum=forum, number=1).first()
    if first is not None:
        # A fresh copy of the user: permissions cache the user's roles on the object, read before this forum's.
        by = get_user_model().objects.get(pk=organizer_user.pk)
        certificate_services.certificates_issue_for_roles(forum=forum, by=by, session=first, notify=False)


def _organizer_user(password: str):
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(
        username=DEMO_ORGANIZER_USERNAME, defaults={"is_staff": True, "email": "organizer@example.org"}
    )
    dirty = not user.is_staff or not user.is_active or not user.check_password(password)
    if dirty:
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
    return user


def _publish_if_changed(forum: Forum, user) -> bool:
    """Publish a new agenda version only when the live agenda differs from the last one published."""
    from sessions.selectors import agenda_snapshot_build, schedule_version_latest
    from sessions.services import schedule_publish

    latest = schedule_version_latest(forum=forum)
    if latest is not None and latest.snapshot == agenda_snapshot_build(forum=forum):
        return False
    schedule_publish(forum=forum, user=user)
    return True


# Billing settings of the organizing bodies, so the demo's paid workshop can be sold and invoiced.
# The numbers have the right form only: they belong to nobody.
BILLING: dict[str, dict] = {
    "makkah_amanah": {"legal_name_ar": "أمانة العاصمة المقدسة", "legal_name_en": "Holy Capital Municipality",
                      "vat_number": "300000000000003", "cr_number": "4031000000", "street": "طريق الملك عبدالعزيز",
                      "building_number": "7421", "district": "العزيزية", "city": "مكة المكرمة",
                      "postal_code": "24243", "invoice_prefix": "MAKKAH"},
    "eastern_amanah": {"legal_name_ar": "أمانة المنطقة الشرقية", "legal_name_en": "Eastern Province Municipality",
                       "vat_number": "300000000100003", "cr_number": "2050000000", "street": "طريق الملك فهد",
                       "building_number": "3120", "district": "الشاطئ", "city": "الدمام", "postal_code": "32413",
                       "invoice_prefix": "EASTERN"},
}


def _billing_load(orgs: dict) -> None:
    from invoicing.models import BillingSettings
    from invoicing.services import billing_settings_save

    for key, fields in BILLING.items():
        if not BillingSettings.objects.filter(organization=orgs[key]).exists():
            billing_settings_save(organization=orgs[key], **fields)


@transaction.atomic
def demo_load(*, password: str | None = None) -> DemoResult:
    """Load (or bring back up to date) the demo forums; a rerun changes nothing."""
    password = password or os.environ.get("DEMO_ORGANIZER_PASSWORD") or DEMO_ORGANIZER_DEFAULT_PASSWORD
    result = DemoResult(organizer_password=password)

    orgs: dict[str, Organization] = {}
    for o in ORGANIZATIONS:  # parents come before their departments
        parent = orgs.get(o.get("parent"))
        orgs[o["key"]] = _upsert(Organization, {"name_ar": o["name_ar"], "parent": parent},
                                 {"name_en": o["name_en"], "kind": o["kind"]})
    _billing_load(orgs)
    people: dict[str, Person] = {}
    for p in PEOPLE:
        people[p["key"]] = _upsert(
            Person,
            {"full_name_ar": p["full_name_ar"]},
            {**{k: v for k, v in p.items() if k not in ("key", "full_name_ar", "organization")},
             "organization": orgs[p["organization"]],
             # The reports give no addresses; example.org ones let organizers try invitations.
             "email": p.get("email", demo_email(p["key"]))},
        )
    user = _organizer_user(password)
    # The demo organizer speaks for the demo bodies (members may publish forums in their name).
    for org in orgs.values():
        _upsert(OrganizationMember, {"organization": org, "user": user}, {})
    for data in FORUMS:
        forum = _load_forum(data, orgs, people, user)
        result.forums.append(forum)
        if _publish_if_changed(forum, user):
            result.published.append(forum)
    # The demo team entered the people, so it may correct their e-mails.
    Person.objects.filter(pk__in=[p.pk for p in people.values()], created_by_forum__isnull=True).update(
        created_by_forum=result.forums[0]
    )
    return result
