from datetime import UTC, date

from django.template import Context, Template
from django.utils import translation

from forum import formatting as fmt


def test_hijri_known_pair_20_safar_1440_is_29_october_2018():
    assert fmt.hijri_parts(date(2018, 10, 29)) == (1440, 2, 20)


def test_hijri_known_pair_read_back_20_02_1440_gives_29_october_2018():
    assert fmt.gregorian_from_hijri(1440, 2, 20) == date(2018, 10, 29)


def test_dual_date_arabic_reads_hijri_then_gregorian_with_arabic_indic_digits():
    assert fmt.dual_date(date(2018, 10, 29), "ar") == "الاثنين ٢٠ صفر ١٤٤٠هـ — ٢٩ أكتوبر ٢٠١٨م"


def test_dual_date_arabic_with_latin_digits_setting():
    assert fmt.dual_date(date(2018, 10, 29), "ar", "latn") == "الاثنين 20 صفر 1440هـ — 29 أكتوبر 2018م"


def test_dual_date_english_reads_hijri_then_gregorian():
    assert fmt.dual_date(date(2018, 10, 29), "en") == "Monday 20 Safar 1440 AH — 29 October 2018"


def test_dual_range_over_two_days_names_both_ends():
    text = fmt.dual_range(date(2018, 10, 29), date(2018, 10, 30), "ar")
    assert "٢٠ صفر" in text and "٢١ صفر" in text and "٢٩ أكتوبر" in text and "٣٠ أكتوبر" in text


def test_digits_for_converts_only_with_arab_setting():
    assert fmt.digits_for("10:30", "arab") == "١٠:٣٠"
    assert fmt.digits_for("10:30", "latn") == "10:30"


def test_template_tags_follow_language_and_digits():
    template = Template("{% load frontend_tags %}{% dual_date day %}|{% num 12 %}")
    with translation.override("ar"):
        assert template.render(Context({"day": date(2018, 10, 29)})) == "الاثنين ٢٠ صفر ١٤٤٠هـ — ٢٩ أكتوبر ٢٠١٨م|١٢"
        assert template.render(Context({"day": date(2018, 10, 29), "digits": "latn"})).endswith("|12")
    with translation.override("en"):
        assert template.render(Context({"day": date(2018, 10, 29)})).startswith("Monday 20 Safar 1440 AH")


def test_optional_url_is_empty_for_a_page_that_does_not_exist():
    template = Template("{% load frontend_tags %}[{% optional_url 'nowhere:nothing' 'x' %}]")
    assert template.render(Context({})) == "[]"


def test_search_normalize_folds_arabic_letter_variants_and_harakat():
    assert fmt.search_normalize("أُسامة") == fmt.search_normalize("اسامه")
    assert fmt.search_normalize("مستشفى") == "مستشفي"
    assert fmt.search_normalize("Quality") == "quality"


def test_money_arabic_uses_arabic_digits_and_riyal_sign():
    assert fmt.money("287.50", "SAR", "ar") == "٢٨٧٫٥٠\u00a0ر.س"
    assert fmt.money("287.50", "SAR", "ar", "latn") == "287.50\u00a0ر.س"


def test_money_english_puts_the_code_first():
    assert fmt.money("287.50", "sar", "en") == "SAR\u00a0287.50"


def test_dual_date_aware_datetime_is_the_day_in_riyadh():
    from datetime import datetime

    # 22:30 UTC on 28 October is already 29 October (20 Safar 1440) in Riyadh.
    late = datetime(2018, 10, 28, 22, 30, tzinfo=UTC)
    assert fmt.dual_date(late, "ar", "latn") == "الاثنين 20 صفر 1440هـ — 29 أكتوبر 2018م"


def test_list_separator_follows_the_language():
    template = Template('{% load i18n %}a{% translate ", " context "list separator" %}b')
    with translation.override("ar"):
        assert template.render(Context()) == "a، b"
    with translation.override("en"):
        assert template.render(Context()) == "a, b"
