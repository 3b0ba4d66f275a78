"""The SPM gap map's classes: one table for the map, its tooltip and the legend."""

import pytest

from logistics.spm.dashboard import GAP_CLASSES, gap_class


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("gap", "needing", "index"),
    [(-5, 100, 0), (0, 100, 1), (0, 0, 1), (24, 100, 2), (25, 100, 3), (49, 100, 3), (50, 100, 4)],
)
def test_gap_class_by_unmet_share(gap, needing, index):
    assert gap_class(gap, needing) == GAP_CLASSES[index]


def test_neighbouring_classes_differ_in_lightness_not_only_in_hue():
    colours = [colour for _label, colour in GAP_CLASSES]
    assert len(set(colours)) == len(colours)
    for left, right in zip(colours, colours[1:], strict=False):
        assert contrast(left, right) >= 1.9, (left, right)
