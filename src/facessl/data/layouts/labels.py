"""Canonical label conventions (NOTES.md "Conventions") and each dataset's mapping onto them.

Every mapping table is written out in full, by class name, so that a test can check it entry by
entry against the dataset's documented order.
"""

from __future__ import annotations

# AffectNet's order, which NOTES.md makes canonical; 7-class tasks drop the last entry (contempt).
EXPRESSIONS: tuple[str, ...] = (
    "neutral",
    "happiness",
    "sadness",
    "surprise",
    "fear",
    "disgust",
    "anger",
    "contempt",
)
EXPRESSIONS_7: tuple[str, ...] = EXPRESSIONS[:7]


def expression_index(name: str) -> int:
    """Canonical index of an expression name (``"happiness"`` -> 1)."""
    return EXPRESSIONS.index(name)


# RAF-DB basic, list_patition_label.txt: 1..7 = surprise, fear, disgust, happiness, sadness,
# anger, neutral (NOTES.md; ecosystem.md §7).
RAFDB_EXPRESSIONS: dict[int, int] = {
    1: expression_index("surprise"),
    2: expression_index("fear"),
    3: expression_index("disgust"),
    4: expression_index("happiness"),
    5: expression_index("sadness"),
    6: expression_index("anger"),
    7: expression_index("neutral"),
}

# FER2013, fer2013.csv column `emotion`: 0..6 = angry, disgust, fear, happy, sad, surprise,
# neutral (NOTES.md; ecosystem.md §7).
FER2013_EXPRESSIONS: dict[int, int] = {
    0: expression_index("anger"),
    1: expression_index("disgust"),
    2: expression_index("fear"),
    3: expression_index("happiness"),
    4: expression_index("sadness"),
    5: expression_index("surprise"),
    6: expression_index("neutral"),
}

# AffectNet, Manually_Annotated_file_lists/*.csv column `expression`: 0..7 are already canonical;
# 8, 9, 10 = none, uncertain, non-face are not expressions and are dropped (ecosystem.md §7).
AFFECTNET_EXPRESSIONS: dict[int, int] = {code: code for code in range(8)}
AFFECTNET_DROPPED: frozenset[int] = frozenset({8, 9, 10})

# Action-unit protocols (NOTES.md; ecosystem.md §7; pcl.md §5.3).
DISFA_AUS: tuple[int, ...] = (1, 2, 4, 6, 9, 12, 25, 26)
DISFA_ALL_AUS: tuple[int, ...] = (1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26)
DISFA_OCCURRENCE_MIN_INTENSITY = 2
BP4D_AUS: tuple[int, ...] = (1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24)
BP4D_UNKNOWN_CODE = 9

# FSA-Net / HopeNet convention, also applied by PCL to AFLW2000 (ecosystem.md §7; pcl.md §3.6).
POSE_LIMIT_DEGREES = 99.0
