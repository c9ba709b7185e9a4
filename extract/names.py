"""People's and organisations' names: the forms that mean the same one.

A person's key is their first and last name, with the given name's nickname folded into its
formal form and middle names and initials dropped, so that "Tim Savageaux" in one call and
"Timothy Paul Savageaux" in another get the same key without either call knowing of the other.
"""

from __future__ import annotations

import re
import unicodedata

# Formal given name for each common short form. Only forms that cannot be another name's
# formal form: "Chris" could be Christian or Christopher, so it is left alone.
NICKNAMES = {
    "tim": "timothy", "timmy": "timothy",
    "mike": "michael", "mick": "michael", "mikey": "michael",
    "rich": "richard", "rick": "richard", "dick": "richard", "ricky": "richard",
    "tom": "thomas", "tommy": "thomas",
    "jim": "james", "jimmy": "james", "jamie": "james",
    "bob": "robert", "rob": "robert", "bobby": "robert", "robbie": "robert",
    "bill": "william", "will": "william", "billy": "william", "liam": "william",
    "joe": "joseph", "joey": "joseph",
    "dave": "david",
    "dan": "daniel", "danny": "daniel",
    "steve": "steven",
    "ed": "edward", "eddie": "edward", "ted": "edward",
    "tony": "anthony",
    "greg": "gregory",
    "jeff": "jeffrey",
    "ken": "kenneth", "kenny": "kenneth",
    "matt": "matthew",
    "pat": "patrick",
    "ron": "ronald",
    "sam": "samuel",
    "ben": "benjamin",
    "nick": "nicholas",
    "andy": "andrew", "drew": "andrew",
    "doug": "douglas",
    "fred": "frederick",
    "jon": "jonathan",
    "larry": "lawrence",
    "nate": "nathan",
    "phil": "philip",
    "ray": "raymond",
    "russ": "russell",
    "stan": "stanley",
    "vince": "vincent",
    "walt": "walter",
    "zach": "zachary",
    "kate": "katherine", "katie": "katherine", "kathy": "katherine",
    "liz": "elizabeth", "beth": "elizabeth", "betsy": "elizabeth",
    "jen": "jennifer", "jenny": "jennifer",
    "sue": "susan", "suzy": "susan",
    "peggy": "margaret", "maggie": "margaret",
    "becky": "rebecca",
    "cindy": "cynthia",
    "debbie": "deborah", "deb": "deborah",
    "pam": "pamela",
    "vicky": "victoria",
}

# Spellings speech-to-text confuses for the same given name.
SPELLING_VARIANTS = {"corey": "cory", "kori": "cory", "stephen": "steven", "jeffery": "jeffrey", "geoff": "jeffrey"}

SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "cpa", "cfa", "md"}
_PARTICLES = {"de", "da", "del", "della", "van", "von", "der", "den", "la", "le", "di", "du", "st", "mc", "mac"}


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(text: str) -> str:
    """An IRI-safe slug: ASCII letters and digits joined by single hyphens."""
    s = ascii_fold(text).lower().replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "x"


def name_tokens(name: str) -> list[str]:
    """The words of a personal name, without honorifics, suffixes or stray punctuation."""
    name = re.sub(r"\([^)]*\)", " ", name)
    words = [w.strip(".,;:'\"") for w in name.replace("\u00a0", " ").split()]
    words = [w for w in words if w and w.lower().strip(".") not in SUFFIXES]
    while words and words[0].lower().strip(".") in {"mr", "mrs", "ms", "miss", "dr", "prof", "sir"}:
        words.pop(0)
    return words


def first_last(name: str) -> str:
    """`Timothy Paul Savageaux` -> `Timothy Savageaux`; `Cory J. Sindelar` -> `Cory Sindelar`."""
    words = name_tokens(name)
    if len(words) <= 2:
        return " ".join(words)
    last_start = len(words) - 1
    while last_start > 1 and words[last_start - 1].lower() in _PARTICLES:
        last_start -= 1
    return " ".join([words[0], *words[last_start:]])


def formal_given(given: str) -> str:
    g = ascii_fold(given).lower()
    g = SPELLING_VARIANTS.get(g, g)
    return NICKNAMES.get(g, g)


def person_key(name: str) -> str:
    """The key of the person a name refers to: `Tim Savageaux` -> `timothy-savageaux`."""
    words = first_last(name).split()
    if not words:
        return "unknown"
    if len(words) == 1:
        return slug(formal_given(words[0]))
    return slug(" ".join([formal_given(words[0]), *words[1:]]))


def same_person(a: str, b: str) -> bool:
    """Whether two names can be one person: equal keys, or one is just the other's given name."""
    if person_key(a) == person_key(b):
        return True
    wa, wb = name_tokens(a), name_tokens(b)
    if len(wa) == 1 or len(wb) == 1:
        single, full = (wa, wb) if len(wa) == 1 else (wb, wa)
        if not full:
            return False
        return formal_given(single[0]) == formal_given(full[0]) or single[0].lower() == full[-1].lower()
    return False


def looks_like_person_name(text: str) -> bool:
    words = name_tokens(text)
    if not 1 <= len(words) <= 5:
        return False
    return all(w[:1].isupper() or w.lower() in _PARTICLES for w in words) and not any(c.isdigit() for c in text)
