"""The scoring arithmetic (forum/scoring.py), edges included."""

from decimal import Decimal

import pytest

from forum import scoring


def test_weighted_mean_weights_values():
    assert scoring.weighted_mean([(80, 2), (50, 1)]) == pytest.approx(70.0)


def test_weighted_mean_without_weight_is_none():
    assert scoring.weighted_mean([]) is None
    assert scoring.weighted_mean([(10, 0)]) is None


def test_weighted_mean_with_equal_weights_is_plain_mean():
    assert scoring.weighted_mean([(1, 3), (2, 3), (6, 3)]) == pytest.approx(3.0)


def test_trimmed_mean_drops_highest_and_lowest():
    assert scoring.trimmed_mean([10, 60, 70, 80, 100], 1) == pytest.approx(70.0)


def test_trimmed_mean_keeps_everything_when_too_few_to_trim():
    assert scoring.trimmed_mean([40, 60], 1) == pytest.approx(50.0)
    assert scoring.trimmed_mean([40, 60, 90, 100], 2) == pytest.approx(72.5)


def test_trimmed_mean_of_three_with_trim_one_is_the_median():
    assert scoring.trimmed_mean([0, 55, 100], 1) == pytest.approx(55.0)


def test_trimmed_mean_of_nothing_is_none_and_trim_zero_is_mean():
    assert scoring.trimmed_mean([], 1) is None
    assert scoring.trimmed_mean([10, 20], 0) == pytest.approx(15.0)


def test_divergence_is_strictly_above_threshold():
    assert scoring.is_divergent([50, 70], 20) is False
    assert scoring.is_divergent([50, 70.01], 20) is True
    assert scoring.is_divergent([90], 1) is False


def test_rank_with_ties_shares_rank_and_skips():
    ranked = scoring.rank_with_ties([("a", 90), ("b", 95), ("c", 90), ("d", 80)])
    assert ranked == [("b", 1, False), ("a", 2, True), ("c", 2, True), ("d", 4, False)]


def test_rank_with_ties_empty_and_single():
    assert scoring.rank_with_ties([]) == []
    assert scoring.rank_with_ties([("x", 0)]) == [("x", 1, False)]


@pytest.mark.parametrize(
    ("score", "tier"),
    [(100, "gold"), (85, "gold"), (84.99, "silver"), (70, "silver"), (69.99, None), (0, None)],
)
def test_tier_for_thresholds_including_edges(score, tier):
    assert scoring.tier_for(score, [("silver", 70), ("gold", 85)]) == tier


def test_tier_for_without_tiers_is_none():
    assert scoring.tier_for(99, []) is None


def test_to_points_rounds_half_up():
    assert scoring.to_points(70.005) == Decimal("70.01")
    assert scoring.to_points(None) is None
