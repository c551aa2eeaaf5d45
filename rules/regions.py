"""Belgian postal codes to regions (`shared/domain/common.md`, "Regions and Belgian postal
codes"). The regime follows the region, not the language."""

from __future__ import annotations

from rules.case import Region

#: (first code, last code, region), ascending.
POSTAL_RANGES: tuple[tuple[int, int, Region], ...] = (
    (1000, 1299, "brussels"),
    (1300, 1499, "wallonia"),  # Walloon Brabant
    (1500, 1999, "flanders"),  # Flemish Brabant
    (2000, 3999, "flanders"),  # Antwerp, Flemish Brabant, Limburg
    (
        4000,
        7999,
        "wallonia",
    ),  # Liège (German-speaking municipalities included), Namur, Luxembourg, Hainaut
    (8000, 9999, "flanders"),  # West and East Flanders
)


def region_of_postal_code(code: int) -> Region | None:
    """The region of a Belgian postal code, or None when it is not one."""
    for low, high, region in POSTAL_RANGES:
        if low <= code <= high:
            return region
    return None
