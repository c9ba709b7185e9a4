"""Chinese names of people and organisations, where the translation writes them next to the English.

Google's translation of the seeds keeps the English name in brackets after its transliteration:
"瑞安·孔茨 (Ryan Koontz)". The transliteration runs into the words before it ("個問題來自克里斯蒂安·施瓦布"),
and Chinese has no spaces, so only a name with the transliteration's middle dot, cut at a small
set of function characters, is taken: a missing name is better than a wrong one.
"""

from __future__ import annotations

import re

from .model import Turn

_NAME_BEFORE_BRACKET = re.compile(r"(?P<zh>[\u4e00-\u9fff]{1,10}·[\u4e00-\u9fff]{1,8})\s*[(（](?P<en>[A-Za-z][A-Za-z .'&-]{1,60})[)）]")
# Characters that end the words before a name: "from", "is", "to", "and", "like", "of", "by", punctuation.
_BOUNDARY = set("自是給和與及由請向像的將把對在為從被讓跟同，。、：；（( ")


def chinese_names(turns: list[Turn] | tuple[Turn, ...]) -> list[tuple[str, str]]:
    """(English name, Chinese name) pairs the translations give."""
    pairs: list[tuple[str, str]] = []
    for t in turns:
        for p in t.paragraphs:
            for m in _NAME_BEFORE_BRACKET.finditer(p.translation or ""):
                zh = m["zh"]
                cut = max((i for i, c in enumerate(zh) if c in _BOUNDARY), default=-1)
                zh = zh[cut + 1:]
                given, _, family = zh.partition("·")
                if 1 <= len(given) <= 5 and family and (m["en"].strip(), zh) not in pairs:
                    pairs.append((m["en"].strip(), zh))
    return pairs
