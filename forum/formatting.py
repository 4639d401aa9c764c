"""Dates, times and digits as people in the Gulf read them.

Every date a person sees is given in the Hijri (Umm al-Qura) calendar beside
the Gregorian one, e.g. «الاثنين ٢٠ صفر ١٤٤٠هـ — ٢٩ أكتوبر ٢٠١٨م». Digits are
Arabic-Indic or Latin by the visitor's setting; the default follows the language.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from hijridate import Gregorian, Hijri

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DIGITS_CHOICES = ("arab", "latn")

WEEKDAYS_AR = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_AR = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
HIJRI_MONTHS_AR = (
    "محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
    "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
)
HIJRI_MONTHS_EN = (
    "Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Ula", "Jumada al-Akhirah",
    "Rajab", "Shaban", "Ramadan", "Shawwal", "Dhu al-Qadah", "Dhu al-Hijjah",
)


_TASHKEEL = dict.fromkeys(range(0x064B, 0x0653)) | {0x0640: None}  # harakat and tatweel
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def search_normalize(text: str) -> str:
    """Lower case, without harakat, with alef/yaa/taa marbuta variants folded, so «اسامة» finds «أسامة».

    agenda.js folds the visitor's query the same way.
    """
    return (text or "").lower().translate(_TASHKEEL).translate(_LETTERS)


def is_arabic(lang: str | None) -> bool:
    return not (lang or "ar").startswith("en")


def default_digits(lang: str | None) -> str:
    return "arab" if is_arabic(lang) else "latn"


DIGITS_COOKIE = "digits"


def digits_of_request(request, lang: str | None = None) -> str:
    """The visitor's digits on any page: the `digits` cookie, or the language's default."""
    from django.utils.translation import get_language

    value = request.COOKIES.get(DIGITS_COOKIE, "") if request is not None else ""
    return value if value in DIGITS_CHOICES else default_digits(lang or get_language())


def digits_for(value, digits: str) -> str:
    """The text with its Latin digits turned Arabic-Indic when the setting asks for it."""
    text = "" if value is None else str(value)
    return text.translate(ARABIC_INDIC) if digits == "arab" else text


def as_date(value) -> date:
    if isinstance(value, datetime):
        # The day as seen where the forum is (TIME_ZONE), not in UTC: 22:00 UTC is already tomorrow in Riyadh.
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def hijri_parts(value) -> tuple[int, int, int]:
    """(year, month, day) in the Umm al-Qura calendar."""
    d = as_date(value)
    h = Gregorian(d.year, d.month, d.day).to_hijri()
    return h.year, h.month, h.day


def gregorian_from_hijri(year: int, month: int, day: int) -> date:
    """The Gregorian day of an Umm al-Qura date, e.g. 20/02/1440 → 2018-10-29 (dates written in Hijri)."""
    return date(*Hijri(year, month, day).to_gregorian().datetuple())


def hijri_date(value, lang: str = "ar", digits: str | None = None, weekday: bool = False) -> str:
    digits = digits or default_digits(lang)
    d = as_date(value)
    year, month, day = hijri_parts(d)
    if is_arabic(lang):
        text = f"{day} {HIJRI_MONTHS_AR[month - 1]} {year}هـ"
        prefix = WEEKDAYS_AR[d.weekday()]
    else:
        text = f"{day} {HIJRI_MONTHS_EN[month - 1]} {year} AH"
        prefix = WEEKDAYS_EN[d.weekday()]
    if weekday:
        text = f"{prefix} {text}"
    return digits_for(text, digits)


def hijri_numeric(value) -> str:
    """The Umm al-Qura date written with numbers, day first: «20/02/1440»."""
    year, month, day = hijri_parts(value)
    return f"{day:02d}/{month:02d}/{year}"


def gregorian_date(value, lang: str = "ar", digits: str | None = None, weekday: bool = False) -> str:
    digits = digits or default_digits(lang)
    d = as_date(value)
    if is_arabic(lang):
        text = f"{d.day} {MONTHS_AR[d.month - 1]} {d.year}م"
        prefix = WEEKDAYS_AR[d.weekday()]
    else:
        text = f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
        prefix = WEEKDAYS_EN[d.weekday()]
    if weekday:
        text = f"{prefix} {text}"
    return digits_for(text, digits)


def dual_date(value, lang: str = "ar", digits: str | None = None) -> str:
    """«الاثنين ٢٠ صفر ١٤٤٠هـ — ٢٩ أكتوبر ٢٠١٨م» / "Monday 20 Safar 1440 AH — 29 October 2018"."""
    return f"{hijri_date(value, lang, digits, weekday=True)} — {gregorian_date(value, lang, digits)}"


def dual_range(first, last, lang: str = "ar", digits: str | None = None) -> str:
    """A forum's dates: one day, or first to last day, both calendars."""
    if as_date(first) == as_date(last):
        return dual_date(first, lang, digits)
    sep = " – "
    hijri = f"{hijri_date(first, lang, digits, weekday=True)}{sep}{hijri_date(last, lang, digits, weekday=True)}"
    greg = f"{gregorian_date(first, lang, digits)}{sep}{gregorian_date(last, lang, digits)}"
    return f"{hijri} — {greg}"


# Gulf currencies as written in Arabic text; the ISO code is kept for any other currency.
CURRENCY_AR = {"SAR": "ر.س", "AED": "د.إ", "KWD": "د.ك", "BHD": "د.ب", "QAR": "ر.ق", "OMR": "ر.ع"}


def money(amount, currency: str, lang: str = "ar", digits: str | None = None) -> str:
    """«٢٨٧٫٥٠ ر.س» in Arabic, "SAR 287.50" in English: no Latin code inside Arabic text (bidi)."""
    digits = digits or default_digits(lang)
    text = str(amount)
    code = (currency or "").upper()
    if is_arabic(lang):
        if digits == "arab":
            text = digits_for(text, digits).replace(".", "٫")
        return f"{text}\u00a0{CURRENCY_AR.get(code, code)}"
    return f"{code}\u00a0{text}"


def clock(value: datetime, digits: str = "latn") -> str:
    return digits_for(value.strftime("%H:%M"), digits)


def time_range(starts_at: datetime, ends_at: datetime, digits: str = "latn") -> str:
    return f"{clock(starts_at, digits)}–{clock(ends_at, digits)}"
