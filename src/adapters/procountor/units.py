"""UN/ECE Recommendation 20 unit codes (UBL ``unitCode``, BT-130) -> Procountor ``unit`` enum (API-NOTES §3.6).

The default table is CONNECTOR-ANCHORS §5.8 plus a few common synonyms; a connection can override or extend it
(``ConnectionSettings.unit_overrides``). A code without a mapping becomes ``NO_UNIT`` and the caller records a warning
and keeps the original code visible on the row, so nothing is lost silently.
"""

from __future__ import annotations

from collections.abc import Iterable

FALLBACK_UNIT = "NO_UNIT"

# Procountor's unit enum (API 26.04, 111 values): an override must name one of these.
PROCOUNTOR_UNITS: frozenset[str] = frozenset([
    "CM", "LOT", "GRAM", "HOUR", "PERSON", "LINEAR_METER", "KILOGRAM", "MONTH", "KILOMETER", "PIECE", "KILOWATT_HOUR",
    "LITER", "BOX", "METER", "SQUARE_METER", "CUBIC_METER", "SALE_UNIT", "MINUTE", "MILLIMETER", "PARCEL", "BOTTLE",
    "CAN", "BAG", "DAY", "ROLL", "PAGE", "SACK", "SERIES", "TUBE", "TON", "YEAR", "WEEK", "FULL_DAY", "KILOBIT",
    "MEGABIT", "GIGABIT", "TERABIT", "SQUARE_CENTIMETRE", "CENTILITRE", "CUP", "DECILITRE", "GALLON_UK", "GALLON_US",
    "MILLILITRE", "PINT_UK", "PINT_US", "AMPERE", "AMPERE_HOUR", "AMPERE_MINUTE", "KILOAMPERE_HOUR", "KILOVOLT",
    "MILLIVOLT", "MILLIAMPERE_HOUR", "FOOT", "INCH", "MILE", "YARD", "EXAJOULE", "GIGAJOULE", "JOULE",
    "JOULE_PER_SECOND", "KILOJOULE", "MILLIJOULE", "PETAJOULE", "TERAJOULE", "GRAM_PER_CUBIC_METRE",
    "GRAM_PER_SQUARE_METRE", "KILOGRAM_PER_CUBIC_METRE", "KILOGRAM_PER_SQUARE_METRE", "MILLIGRAM",
    "MILLIGRAM_PER_CUBIC_METRE", "OUNCE", "POUND", "STONE_UK", "DOZEN", "DOZEN_PACK", "EIGHT_PACK", "FIVE_PACK",
    "FOUR_PACK", "HUNDRED", "JAR", "NINE_PACK", "NUMBER_OF_WORDS", "PAIR", "PALLET", "PLATE", "SET", "SEVEN_PACK",
    "SIX_PACK", "TEN_PACK", "THREE_PACK", "TWO_PACK", "WRAP", "GIGAWATT", "GIGAWATT_HOUR", "KILOWATT", "MEGAWATT_HOUR",
    "MILLIWATT", "TERAWATT", "TERAWATT_HOUR", "WATT", "WATT_HOUR", "BAR", "KILOPASCAL", "PASCAL", "KILOBYTE",
    "MEGABYTE", "GIGABYTE", "SECOND", "HECTARE", "NO_UNIT",
])

DEFAULT_UNITS: dict[str, str] = {
    # pieces
    "C62": "PIECE", "H87": "PIECE", "EA": "PIECE", "NAR": "PIECE", "XPP": "PIECE", "NPL": "PIECE",
    # time
    "HUR": "HOUR", "MIN": "MINUTE", "SEC": "SECOND", "DAY": "DAY", "WEE": "WEEK", "MON": "MONTH", "ANN": "YEAR",
    # mass
    "KGM": "KILOGRAM", "GRM": "GRAM", "MGM": "MILLIGRAM", "TNE": "TON", "LBR": "POUND", "ONZ": "OUNCE",
    # length, area, volume
    "MTR": "METER", "LM": "LINEAR_METER", "CMT": "CM", "MMT": "MILLIMETER", "KMT": "KILOMETER", "FOT": "FOOT",
    "INH": "INCH", "SMI": "MILE", "YRD": "YARD", "MTK": "SQUARE_METER", "CMK": "SQUARE_CENTIMETRE",
    "HAR": "HECTARE", "MTQ": "CUBIC_METER", "LTR": "LITER", "MLT": "MILLILITRE", "CLT": "CENTILITRE",
    "DLT": "DECILITRE",
    # energy, power
    "KWH": "KILOWATT_HOUR", "MWH": "MEGAWATT_HOUR", "GWH": "GIGAWATT_HOUR", "WHR": "WATT_HOUR", "KWT": "KILOWATT",
    "WTT": "WATT",
    # data
    "2P": "KILOBYTE", "4L": "MEGABYTE", "E34": "GIGABYTE",
    # packages
    "XBX": "BOX", "XBO": "BOTTLE", "XCA": "CAN", "XBG": "BAG", "XSA": "SACK", "XRO": "ROLL", "XTU": "TUBE",
    "XPK": "PARCEL", "XPA": "PARCEL", "XPX": "PALLET", "XJR": "JAR", "PK": "PARCEL",
    # counted sets
    "LO": "LOT", "SET": "SET", "PR": "PAIR", "DZN": "DOZEN", "CEN": "HUNDRED",
    # people, pages, services
    "IE": "PERSON", "ZP": "PAGE", "E48": "SALE_UNIT",
    # "mutually defined": there is no better Procountor unit, and that is a mapping, not a failure
    "ZZ": "NO_UNIT",
}


def unit_table(overrides: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """The default table with a connection's overrides applied. Raises ``ValueError`` for an override that names a
    unit Procountor does not have (a configuration error, found before any invoice is posted)."""
    table = dict(DEFAULT_UNITS)
    for code, unit in overrides:
        if unit not in PROCOUNTOR_UNITS:
            raise ValueError(f"unit override {code!r} -> {unit!r}: not a Procountor unit")
        table[code.strip().upper()] = unit
    return table


def procountor_unit(code: str | None, table: dict[str, str]) -> tuple[str, bool]:
    """``(unit, mapped)``: the Procountor unit for ``code``, and ``False`` when it fell back to ``NO_UNIT``."""
    if not code:
        return FALLBACK_UNIT, False
    unit = table.get(code.strip().upper())
    return (unit, True) if unit else (FALLBACK_UNIT, False)
