"""Figures: the numbers a company states about its metrics, with period, kind, basis and unit.

Rules, not statistics: a metric phrase ("non-GAAP gross margin"), a number ("54.1%"), the cues
around them ("sequentially", "guidance", "target financial model") and the period phrases of
the sentence decide each figure. Every figure keeps the exact words it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from .model import Basis, Change, Figure, FiscalPeriod, Kind, Span, Turn
from .periods import PeriodMention, find_periods

OTHER = "Other"  # a measure kg does not keep; see the end of METRIC_PHRASES

# Metric phrases, most specific first. Each maps a regex to a metric concept of the ontology.
METRIC_PHRASES: list[tuple[str, str]] = [
    ("CurrentRemainingPerformanceObligations", r"current\s+(?:RPOs?|RpoS|remaining performance obligations?)|\bcRPOs?\b"),
    ("RemainingPerformanceObligations", r"\bRPOs?\b|\bRpoS\b|remaining performance obligations?"),
    ("GrossMargin", r"gross margins?"),
    ("FreeCashFlow", r"free cash ?flows?"),
    ("CashAndInvestments", r"cash(?:,)? (?:cash equivalents )?and (?:investments?|marketable securities)|cash and (?:cash )?equivalents"),
    ("OperatingExpenses", r"operating expenses?|\bOpEx\b"),
    ("NetIncome", r"net (?:income|loss|earnings)(?! statement)(?!\s+per\b)"),
    ("EarningsPerShare", r"(?:net\s+)?(?:earnings|income) per (?:diluted\s+|common\s+|basic\s+|diluted\s+common\s+)?share|\bEPS\b"),
    ("DaysSalesOutstanding", r"\bDSOs?\b|days sales outstanding"),
    ("InventoryTurns", r"inventory turns"),
    ("InventoryDeposits", r"inventory deposits|supplier deposits"),
    ("PurchaseCommitments", r"purchase commitments"),
    ("ShareRepurchase", r"(?:share|stock) repurchases?|buybacks?|repurchased|bought back|(?:re)?purchased(?=\s+\$[\d.,]+\s*(?:million|billion)?\s+of\s+(?:our\s+)?(?:common\s+)?(?:stock|shares))"),
    ("NewCustomers", r"new\s+(?:[A-Z]{2,4}\s+|broadband\s+|service provider\s+)?customers"),
    ("Revenue", r"\brevenues?\b|\bnet sales\b|\btop line\b"),
    # Measures outside the vocabulary. They are found so that their numbers are not given to the metric
    # named before them: in "revenue was $100 million and EBITDA was $20 million" the $20 million is EBITDA's.
    (OTHER, r"\b(?:adjusted\s+)?EBITDA(?:\s+margins?)?\b|\bEBIT\b|\boperating (?:income|profit|loss|margins?)\b|"
            r"\bgross profit\b|\bpre-?tax (?:income|profit|loss)\b|\b(?:interest|tax) expenses?\b|\b(?:effective )?tax rate\b|"
            r"\binventor(?:y|ies)\b|\bbacklog\b|\bbookings\b|\bcapex\b|\bcapital expenditures?\b|"
            r"\b(?:operating )?cash flows? from operations\b|\boperating cash flows?\b|\bdividends?\b|\bdistributions\b|"
            r"\b(?:total )?debt\b|\bheadcount\b|\bARPU\b|\b(?:R&D|SG&A)(?: expenses?)?\b|"
            r"\bNOI\b|\bnet operating income\b|\b(?:core |normalized )?A?FFO\b|\bfunds from operations\b|"
            # Nouns whose amounts and changes are often said right after a metric's: "revenue rose, and
            # app downloads were up 30%", "costs fell by 8 million", "our $90 million credit facility",
            # "we bought back $4 million of senior notes".
            r"\b(?:O&M\s+)?(?:expenses|costs)\b|\bO&M\b|\bprovisions?\b|\bauthori[sz]ations?\b|\b(?:credit\s+)?facility\b|"
            r"\b(?:senior|convertible)\s+notes?\b|\bdownloads?(?:\s+count)?\b|\b(?:active\s+|new\s+)?users\b|\bper\s+user\b|"
            r"\bcommunities\b|\bpremiums?\b|\brefunds?\b|\baccretion\b|\bunderwriting income\b|\bnet margins?\b|\bnet cash(?: position)?\b"),
]
_METRIC_RX = [(m, re.compile(rx, re.I)) for m, rx in METRIC_PHRASES]

USD_METRICS = {
    "Revenue", "OperatingExpenses", "NetIncome", "EarningsPerShare", "FreeCashFlow", "CashAndInvestments",
    "RemainingPerformanceObligations", "CurrentRemainingPerformanceObligations", "InventoryDeposits",
    "PurchaseCommitments", "ShareRepurchase",
}
NOT_FINANCIAL = {"DaysSalesOutstanding", "InventoryTurns", "NewCustomers", "CustomerCount"}

_SCALE = {"thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3, "million": Decimal(10) ** 6, "m": Decimal(10) ** 6,
          "mm": Decimal(10) ** 6, "billion": Decimal(10) ** 9, "b": Decimal(10) ** 9, "bn": Decimal(10) ** 9}
_TENS_BEFORE = re.compile(r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+$", re.I)
_SMALL_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SC = r"(?:\s*(?P<{n}>million|billion|thousand|mm|bn|[MBK])\b)?"
MONEY_RANGE = re.compile(
    rf"\$\s?(?P<lo>{_NUM}){_SC.format(n='s1')}\s*(?:-|\u2013|to|and)\s*\$?\s?(?P<hi>{_NUM}){_SC.format(n='s2')}", re.I
)
# "between 115 and $125 million", "from eight to $9 million": the sign and scale said once, on the high end.
MONEY_RANGE_HIGH = re.compile(
    rf"(?<![\w$.,])(?P<lo>{_NUM}|{'|'.join(_SMALL_WORDS)})\s*(?:-|\u2013|to|and)\s*\$\s?(?P<hi>{_NUM}){_SC.format(n='s')}", re.I
)
MONEY = re.compile(rf"\$\s?(?P<v>{_NUM}){_SC.format(n='s')}|(?<![\w.,-])(?P<c>\d+|{'|'.join(_SMALL_WORDS)})\s+cents?\b", re.I)  # "six cents"; not "twenty-one cents"
# "net sales were 58 million", "12.4 million dollars": speech to text writes no dollar sign. Taken as
# an amount of money only for a money metric, and only when no other noun follows ("58 million
# shares", "2 million downloads" are counts).
_BARE_END = (r"(?:\s+(?:dollars|USD)\b)?(?=\s*(?:[,.;:!?)]|$)|\s+(?:in|for|compared|versus|vs|or|and|from|to|up|down|which|"
             r"this|last|at|during|on|as|with|was|were|is|of\s+(?:revenue|sales|net sales)|an?|the|year)\b)")
BARE_MILLIONS = re.compile(rf"(?<![\w$.,])(?P<v>{_NUM})\s+(?P<s>million|billion)\b{_BARE_END}", re.I)
BARE_MILLIONS_RANGE = re.compile(
    rf"(?<![\w$.,])(?P<lo>{_NUM})(?:\s+(?P<s1>million|billion))?\s*(?:-|\u2013|to|and)\s*(?P<hi>{_NUM})\s+(?P<s2>million|billion)\b"
    rf"{_BARE_END}", re.I)
# Amounts in another currency anywhere in the turn ("RMB 281.3 million", "850 million to 1.15
# billion euros", "30 million in Canadian dollars"): its bare amounts are not taken for dollars.
# Only amounts and codes count: "the euro weakened" or "pounds of resin" in a dollar company's turn do not.
_OTHER_CURRENCY = re.compile(
    r"\b(?:RMB|CNY|EUR|GBP|CHF|JPY|CAD|AUD|MXN|BRL|INR|HKD|SEK|NOK|DKK)\b|[\u20ac\u00a3\u00a5\u20b9]|\bpounds sterling\b|"
    r"\b(?:thousand|million|billion)\s+(?:in\s+)?(?:euros|yuan|renminbi|pesos|reais|yen|rupees|francs|kronor|"
    r"(?:Canadian|Australian|Hong Kong|New Zealand|Singapore|Taiwan) dollars)\b")
# A count named just before a bare amount: "subscribers reached 2 million", "the number of members ... 5 million".
_COUNT_BEFORE = re.compile(
    r"\b(?:subscribers|customers|members|users|units|shares|households|homes|passings|accounts|downloads|visitors|"
    r"employees|people|locations|devices|connections|tons|barrels|vehicles|patients|students|policies|policyholders|"
    r"customer count|subscriber count)\s+(?:(?:reached|totaled|totalled|grew|rose|increased|climbed|was|were|is|are|at|"
    r"to|by|of|approximately|about|roughly|nearly|over|more than|almost|some)\s+)+$", re.I)
_IN_A_PHRASE = re.compile(r"\b(?:from|of|in|at|across|by|for|among|with)\s+(?:[\w&-]+\s+){0,3}$", re.I)
# An amount for six or nine months, or for the year so far, is of no quarter (nor of the year):
# "totaled $419.4 million for the first six months", "first half revenue of $95 million".
_MONTHS = re.compile(r"\b(?:first|last|past|the)\s+(?:six|nine|6|9)\s+months\b|\b(?:first|1st)\s+half\b|\byear[- ]to[- ]date\b|\bYTD\b|"
                     r"\b(?:trailing|last|past)\s+(?:12|twelve)\s+months\b|\bTTM\b|\bLTM\b", re.I)
# A half-year phrase at the head of the sentence governs all of it: "Year-to-date, we generated ...".
_FRONTED = re.compile(r"\s*(?:(?:for|in|during|over)\s+)?(?:the\s+)?", re.I)
# What follows a half-year amount and is said of it too: ", up 3%", ", compared with 12.3 million".
_RESTATED_CHANGE = re.compile(r"\s*(?:for the (?:first|last|past) (?:six|nine) months\s*)?,?\s*(?:or\s+|(?:up|down)\s+(?:from\s+)?|"
                              r"increasing\s+|decreasing\s+|an? (?:increase|decrease) of\s+|"
                              r"compar(?:ed|es|ing) (?:with|to)\b[^,;]{0,40}?)", re.I)
CENTS_RANGE = re.compile(r"(?P<lo>\d+)(?:\s+cents)?\s*(?:-|\u2013|to|and)\s*(?P<hi>\d+)\s+cents\b", re.I)
# "$1.52 per share", "25 cents": an amount per share is earnings per share, whatever metric is near.
_PER_SHARE_AFTER = re.compile(r"^\s*(?:of\s+)?(?:a\s+)?per\s+(?:diluted\s+|basic\s+|fully diluted\s+)?share\b", re.I)
_OR_BEFORE = re.compile(r"\bor\s+(?:a\s+|an\s+)?(?:loss of\s+|income of\s+)?$", re.I)
_LOSS_BEFORE = re.compile(r"\bloss(?:\s+of)?\s+$", re.I)
PERCENT_RANGE = re.compile(rf"(?<![\w.,])(?P<lo>{_NUM}|{'|'.join(_SMALL_WORDS)})\s*(?:%|percent)?\s*(?:-|\u2013|to|and)\s*(?P<hi>{_NUM})\s*(?:%|percent)", re.I)
PERCENT = re.compile(rf"(?P<v>{_NUM})\s*(?:%|percent\b)", re.I)
BPS_RANGE = re.compile(rf"(?P<lo>\d+)\s*(?:basis points?\s*)?(?:-|\u2013|to)\s*(?P<hi>\d+)[\s-]*(?:basis[\s-]points?|bps)\b", re.I)
BPS = re.compile(r"(?P<v>\d+)[\s-]*(?:basis[\s-]points?|bps)\b", re.I)
DAYS = re.compile(r"(?P<v>\d+)\s+days\b", re.I)
# "between 100 and 200", "100 to 200": a range with no unit, which only an earlier figure can explain.
PLAIN_RANGE = re.compile(
    rf"(?<![\w$.,])(?:between\s+(?P<lo>{_NUM})\s+and\s+(?P<hi>{_NUM})|(?P<lo2>{_NUM})\s+to\s+(?P<hi2>{_NUM}))"
    r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:in|for|this|next|over|during|by|albeit|and|but|or|so|which|as|at|on|is|was|will|would)\b)", re.I)
# "somewhere under $600 million": a ceiling, not a value.
_UPPER_BOUND_BEFORE = re.compile(r"\b(?:under|below|less than|no more than|up to|shy of)\s+$", re.I)
PLAIN = re.compile(rf"(?<![\w$.,])(?P<v>{_NUM})(?![\w%]|\.\d|\s*(?:%|percent|million|billion|days|basis))", re.I)
COUNT_NEW = re.compile(r"(?P<v>\d[\d,]*)\s+new\s+(?:[A-Z]{2,4}\s+|broadband\s+|service provider\s+)?customers", re.I)
COUNT_TOTAL = re.compile(
    r"(?:(?:more than|over|nearly|approximately|about|roughly|almost)\s+(?P<v>\d[\d,]*)|(?P<w>\d{1,3}(?:,\d{3})+))\s+"
    r"(?:[A-Z]{2,4}\s+|broadband\s+(?:service\s+|experience\s+)?)?(?:customers|providers)\b",
)

_SEQ = re.compile(r"^[\s,]*(?:\w+\s+){0,2}?(?:sequential(?:ly)?|(?:higher|lower) than (?:the )?(?:prior|previous|last) quarter\b|quarter[- ]over[- ]quarter|q/q|from the (?:prior|previous|last|first|second|third|fourth) quarter|compared (?:to|with) the (?:prior|previous|last) quarter|over the (?:prior|previous|last) quarter|from Q[1-4] to Q[1-4])", re.I)
_YOY = re.compile(r"^[\s,]*(?:\w+\s+){0,2}?(?:year[- ](?:over|on)[- ]year|y/y|yoy|from a year ago|(?:over|from|compared (?:to|with)|versus|vs\.?|than) the same (?:quarter|period)\b(?! (?:of |in )?(?:the )?(?:prior|previous|last) quarter)|(?:compared (?:to|with)|versus|over) (?:a|the) (?:year ago|prior year|previous year|last year))", re.I)
_CHANGE_BEFORE = re.compile(r"(?:\bup|\bdown|\bincrease(?:d)?(?: of| by)?|\bdecrease(?:d)?(?: of| by)?|\bgrew|\bgrowth of|\brose|\bfell|\bdeclined?(?: of| by)?|\bimprovement of|\bexpansion of|\breduction of)\s*(?:by\s+|of\s+)?(?:an?\s+)?$", re.I)
_DOWN_BEFORE = re.compile(r"(?:\bdown|\bdecrease(?:d)?(?: of| by)?|\bfell|\bdeclined?(?: of| by)?|\breduction of)\s*(?:by\s+|of\s+)?(?:an?\s+)?$", re.I)
# "a 28% year-over-year decline": the noun after the rate says it went down.
_DOWN_AFTER = re.compile(r"\s*(?:(?!(?:despite|with|without|no|in|of|but|and|while|as|from|for|on|to|than|an?|the)\b)[\w/-]+\s+){0,2}"
                         r"(?:decline|decrease|drop|reduction|contraction|lower than)\b", re.I)
_GROWTH_AFTER = re.compile(r"^\s*(?:\w+\s+){0,3}?(?:growth|increase|improvement|expansion|decline|decrease)", re.I)
_FROM_BEFORE = re.compile(r"(?:\bfrom|\bcompared (?:to|with)|\bversus|\bvs\.?)\s+(?:[$\d.,]+%?\s*(?:million|billion)?\s+)?(?:in\s+)?(?:the\s+)?$", re.I)
_PRICE_BEFORE = re.compile(r"(?:price|cost|valued?|worth)\s+(?:of\s+|at\s+)?$", re.I)
_PER_AFTER = re.compile(r"^\s*(?:of\s+)?(?:[\w-]+\s+){0,3}?per\s+(?:month|subscriber|sub|user|home|household|location|passing|door)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[;]|,\s+(?:the|we|our|while|but|and we|so)\b", re.I)
_GUIDANCE = re.compile(r"\bguidance\b|\boutlook\b|\bguided?\b|\bexpect(?:s|ed|ing)?\b|\banticipate[sd]?\b|\bforecast|\bproject(?:s|ed)?\b|\bwill be\b|\bwould represent\b|\bat the midpoint\b|"
                       r"\b(?:will|would|can|[’']ll)\s+(?:(?:still|continue to|be able to|actually)\s+)?(?:grow|increase|expand|improve|return to|reach|decline|deliver|achieve|hit|get (?:back )?to)\b", re.I)
_TARGET = re.compile(r"target(?:ed)? (?:financial )?(?:operating )?model|long[- ]term target|target range|\btargets?\b", re.I)
_NON_GAAP = re.compile(r"non[-\s]{1,3}GAAP\s+(?:\w+\s+){0,2}$", re.I)  # speech-to-text writes "Non- GAAP"
_GAAP = re.compile(r"(?<!non-)(?<!non )(?<!non- )\bGAAP\s+(?:\w+\s+){0,2}$", re.I)
# "In terms of 2025 revenue growth rate, yes, Scott, we think ...": the metric is the sentence's topic,
# and binds across the clause breaks that follow it.
_TOPIC_BEFORE = re.compile(r"\b(?:in terms of|as for|as to|regarding|with regards? to|with respect to|when it comes to|"
                           r"as far as|turning to)\s+(?:the\s+|our\s+)?(?:(?:fiscal\s+)?(?:19|20)\d\d\s+|full[- ]year\s+)?$", re.I)
# "... our 5% to 10% range, meaning closer to 10% growth": a bare growth rate is of the metric the sentence
# already gave a figure for.
_BARE_GROWTH_AFTER = re.compile(
    r"^\s+(?:(?:sequential|annual|annualized|year[- ]over[- ]year|top[- ]line|organic|overall|quarterly)\s+)?growth\b"
    r"(?!\s+(?:in|of|from|for|at)\s+(?!(?:our\s+|the\s+)?(?:revenues?|sales|top[- ]line|the year|this year|next year)\b))", re.I)
# "we would grow from the second quarter on at 1% to 5%": the company will grow, with only time words before the
# rate. Only the forward-looking forms: "we grew 26%" is as often a segment the sentence before named.
_WE_GROW_BEFORE = re.compile(
    r"\bwe(?:[’']ll|[’']d|\s+will|\s+would|\s+can|\s+could|\s+should|\s+expect to|\s+continue to)\s+grow"
    r"(?:\s+(?:from|in|at|by|to|over|on|the|a|an|first|second|third|fourth|quarter|half|year|this|last|next|about|"
    r"approximately|roughly|nearly|around|(?:19|20)\d\d))*\s+$", re.I)
_PER_QUARTER_AFTER = re.compile(r"^\s*(?:(?:per|a|each|every)\s+(?:single\s+)?quarter)\b", re.I)
_SEQUENTIAL_WORDS = re.compile(r"sequential|quarter[- ]over[- ]quarter|(?:per|a|each|every)\s+(?:single\s+)?quarter\b", re.I)
# "Last quarter, we said ...": when something was said, not the period of what was said.
_SAID_AFTER = re.compile(r"^,?\s+(?:we|I)\s+(?:had\s+|have\s+)?(?:said|told|guided|indicated|stated|noted|mentioned|talked|discussed|announced|shared)\b", re.I)
# A year named with these words is the whole year, not the quarter the call is about.
_FULL_YEAR = re.compile(r"\bfull[- ]year\b|\bfor the (?:full |whole |entire )?(?:fiscal )?year\b|\bannual\b", re.I)
# A change whose subject is named in its own sentence does not take the metric of the sentence
# before: "Store traffic increased by 9%", "freight costs in Ohio fell by $2 million". Pronouns,
# verbs and linking words before "up" name no subject of their own ("That was up 12%").
_OWN_SUBJECT = re.compile(r"\b(?!(?:and|or|but|so|this|that|it|which|these|those|we|us|they|also|then|sequentially|"
                          r"was|were|is|are|has|have|been|year|quarter|million|billion|cents?)\b)[a-z&-]{3,}\s+"
                          r"(?:(?:was|were|is|are|has|have)\s+(?:been\s+)?)?(?:increased|decreased|grew|grow|rose|fell|declined?|up|down)\b",
                          re.I)
# An amount said to compare, of the same quarter a year before: "against net income of $2.1
# million, or $0.14 per share, for the prior year period", "compared to $216 million a year ago".
_A_YEAR_BEFORE = re.compile(r"^[^;]*?\b(?:(?:in|for|during) the (?:prior|previous|last)[- ]year(?:'s)? (?:period|quarter)|"
                            r"(?:in|for|during) the same (?:period|quarter) (?:of |in )?(?:the )?(?:prior year|last year|previous year|a year ago)|"
                            r"(?:in|for) the (?:same )?(?:period|quarter) a year ago|(?:in|for|during) the year[- ]ago (?:period|quarter)|"
                            r"a year ago)\b", re.I)
# Words that introduce an amount as the one compared with ("compared with net income of $2.1 million").
_COMPARING = re.compile(r"\b(?:compared|comparison|versus|vs\.?|against)\b", re.I)
_PRIOR_QUARTER_AFTER = re.compile(r"\s*(?:reported\s+)?(?:(?:in|for|during)\s+)?(?:the\s+)?(?:prior|previous|last|preceding|sequential)\s+quarter\b", re.I)
# "up 12% over Q1": the quarter is the base of the change, not its period.
_OVER_BASE = re.compile(r"(?:%|percent|basis points)\s+(?:over|(?:higher|lower) than)\s+(?:the\s+)?$", re.I)
# "up 12% over Q1", "8% higher than the first quarter": a change against a named quarter, which is
# sequential only when that quarter is the one before the call's and no year follows it.
_AGAINST_A_QUARTER = re.compile(r"^[\s,]*(?:\w+\s+){0,2}?(?:over|(?:higher|lower) than)\s+(?:the\s+)?"
                                r"(?:Q(?P<q>[1-4])\b|(?P<ord>first|second|third|fourth)\s+quarter\b)(?P<rest>.{0,30})", re.I)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_YEAR_WORDS = re.compile(r"\b(?:last year|a year ago|year[- ]ago|prior year|previous year|fiscal|of \d{2,4}|(?:19|20)\d\d)\b", re.I)

# Costs named as a cause ("margin expanded on lower input costs, up 120 basis points") are no
# subject: they neither take the amount after them nor become the metric of the next sentence.
_COSTS = re.compile(r"(?:O&M\s+)?(?:expenses|costs)", re.I)
_CAUSE_BEFORE = re.compile(r"\b(?:on|from|by|reflecting|reflects|driven by|due to|because of|thanks to|despite|offset by|"
                           r"with|including|excluding)\s+(?:[\w-]+\s+){0,3}$", re.I)
_RATIO_OF = re.compile(r"(?:%|percent)\s+of\s+(?:total\s+|our\s+)?$", re.I)  # "59% of net sales": a denominator, not net sales
_METRICS_OF_PARTS = {"Revenue", "GrossMargin", "NetIncome", "EarningsPerShare", "OperatingExpenses"}  # what segments report too
# The word right before one of those metrics tells the company's figure from a part's. A part is
# named by a noun or a name ("retail revenue", "Asia revenue", "Widgetco's gross margin"); the
# company's figure by almost anything else: articles, verbs, fillers, change words, adjectives
# such as "record" or "global". So a word is taken for a part only if it is on neither list below
# and looks like a noun (not -ed, -ing or -ly), or if it is a known revenue stream. Anything else
# keeps the figure: a wrong figure in the graph is worse than a missing one, but these lists were
# also read against ordinary prepared remarks.
_WORD_BEFORE = re.compile(r"(top[\s-]line|[\w'&-]+)\s+$", re.I)
_STREAM_WORDS = re.compile(
    r"deferred|recurring|unearned|advertising|licensing|licence|license|subscription|services?|products?|hardware|software|"
    r"retail|wholesale|online|digital|domestic|international|regional|federal|residential|commercial|enterprise|consumer|"
    r"segment|division|category|channel|royalty|royalties|rental|leasing|consulting|maintenance|support|installation", re.I)
_NOT_A_PART = re.compile(
    r"top[\s-]line|our|non-?\s?gaap|gaap|record|record-high|total|net|adjusted|core|organic|consolidated|overall|quarter(?:'s)?|"
    r"annual|year(?:'s)?|full[- ]year|fiscal|diluted|basic|strong|solid|robust|healthy|good|great|better|best|higher|lower|"
    r"worldwide|global|company(?:'s)?|combined|group|aggregate|reported|comparable|underlying|like-for-like|sequential|"
    r"year-over-year|quarter-over-quarter|year-on-year|constant|currency|percent|the|a|an|its|their|this|that|these|those|"
    r"and|or|but|while|whereas|although|because|since|when|if|then|plus|both|of|in|for|with|at|to|from|by|on|as|about|"
    r"had|has|have|was|were|is|are|be|also|so|just|now|well|like|mean|said|say|okay|ok|yeah|yes|uh|um|er|ah|oh|"
    r"revenue|revenues|sales|margin|income|expect|expects|anticipate|anticipates|project|projects|forecast|forecasts|estimate|"
    r"increase|growth|guidance|outlook|positive|negative|cash|first|second|third|fourth|next|last|prior|previous|"
    r"deliver|generate|report|achieve|post|put|see|grow|reach|drive|target|model|guide|all|certain|significant|favorable|"
    r"high|low|same-\w+|\w+-quarter|q[1-4]|h[12]|fy\d*|\d[\d,.]*%?|\w+ed|\w+ing|\w+ly", re.I)
_PART_AFTER = re.compile(r"\s+(?:contribution\s+)?from\s+(?!(?:continuing\s+)?operations\b)(?![$\d])|"
                         r"\s+for\s+our\s+(?:[\w&-]+\s+){1,4}(?:category|segment|business|division|unit|products?)\b", re.I)


def _the_companys(word: str, company: str) -> bool:
    """Whether `word` names the reporting company: "Acme", "Acme's" or "AC" in a call of Acme Corp."""
    name = re.sub(r"['’]s$", "", word).lower()
    every = re.findall(r"[A-Za-z]+", company)
    words = [w for w in every if w.lower() not in ("inc", "corp", "corporation", "co", "ltd", "plc", "the")]
    initials = {"".join(w[0] for w in ws).lower() for ws in (words, every) if len(ws) > 1}
    return bool(words) and (name == words[0].lower() or name in initials)


# A sentence set in a part of the company states the part's figures, which kg does not keep:
# - framed by a place, a name or a unit: "In Asia, ...", "At Acme Labs, ...", "Within our software
#   business, ..." (a capitalised name, or a noun such as "business" or "segment"; not "In other
#   words," or "At the same time,");
_FRAMED_BY_A_PART = re.compile(r"^\W*(?:(?i:at|in|across)\s+(?:(?i:our|the)\s+)?(?P<part>[A-Z][\w&'-]*(?:\s+[A-Z&][\w&'-]*){0,4}|"
                               r"(?i:[^,]{1,50}?\s+(?:business|segment|division|unit|category|channel|region)s?))|"
                               r"(?i:within)\s+(?P<within>[^,]{2,50}?))\s*,")
_PERIOD_OR_LINK = re.compile(r"\b(?:quarter|year|half|Q[1-4]|FY|\d{4}|January|February|March|April|May|June|July|August|"
                             r"September|October|November|December|addition|total|summary|conclusion|aggregate|midpoint|"
                             r"guidance|consolidated|company|all)\b", re.I)  # frames that are times or the whole
# - the sentence after a heading that turns to one: "Turning now to our fuel division.";
_TURNS_TO_A_PART = re.compile(r"^\W*(?:turning|moving|let me turn|let's turn|now turning|next turning)\b[^.]{0,40}?\bto\s+(?:our|the)\s+"
                              r"(?:[\w&-]+\s+){1,5}(?:segment|division|business unit|category|channel)s?\b[^.]{0,20}[.:]?\s*$", re.I)
# - a breakdown: "Geographically, ..." (that sentence only);
_BREAKS_DOWN = re.compile(r"^\W*(?:by (?:category|region|segment|channel|geography)|geographically)\b", re.I)
# - a unit named by its initials reporting on its own: "ABC reported net income of ..." (the metrics after it).
_ANOTHER_REPORTS = re.compile(r"\b(?P<who>[A-Z]{2,6})\s+(?:reported|increased|grew|delivered|generated|posted)\b")
_METRIC_ACRONYMS = {"GAAP", "EPS", "RPO", "RPOS", "DSO", "ARR", "MRR", "FY", "CEO", "CFO", "COVID", "EBITDA", "EBIT", "GMV",
                    "NOI", "ARPU", "FCF", "FFO", "AFFO", "TCV", "ACV", "NRR", "DAU", "MAU", "OPEX", "CAPEX", "SG", "YOY"}
# An amount set aside from the figure rather than of another thing: "Excluding $20 million from the acquisition, it was up 8%".
_SET_ASIDE = re.compile(r"\b(?:excluding|including|net of|less|plus|before|after|ex)\s+(?:the\s+|an?\s+)?(?:approximately\s+|about\s+)?$", re.I)
# A sentence that cites another source or gives an example states no figure of the company's own:
# "According to the industry association, unit sales rose by 4% last year".
_NOT_THE_COMPANYS = re.compile(r"^\W*(?:for example|for instance)\b|\baccording to\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


@dataclass(frozen=True)
class _Number:
    start: int
    end: int
    unit: str
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    cents: bool = False  # said in cents: a per-share amount


@dataclass(frozen=True)
class _Metric:
    metric: str
    start: int
    end: int


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _scaled(text: str, scale: str | None) -> Decimal:
    value = _dec(text)
    return value * _SCALE[scale.lower()] if scale else value


def _canonical(d: Decimal | None) -> Decimal | None:
    if d is None:
        return None
    d = d.normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral() else d


def sentences(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for m in _SENTENCE_END.finditer(text):
        # "$264.7 million." ends a sentence; "U.S. customers" does not.
        if re.search(r"\b[A-Z]\.$|\b(?:Mr|Ms|Mrs|Dr|Inc|Co|vs)\.$", text[at:m.start()]):
            continue
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _a_count(s: str, at: int) -> bool:
    """Whether what a bare amount measures is named right before it as a count: "subscribers
    reached 2 million" (but "revenue from our retail stores was 40 million" is money)."""
    before = s[max(0, at - 80):at]
    m = _COUNT_BEFORE.search(before)
    return m is not None and not _IN_A_PHRASE.search(before[:m.start()])


def _numbers(s: str, bare_money: bool = True) -> list[_Number]:
    found: list[_Number] = []
    taken: list[tuple[int, int]] = []

    def add(n: _Number) -> None:
        if any(a < n.end and n.start < b for a, b in taken):
            return
        taken.append((n.start, n.end))
        found.append(n)

    for m in MONEY_RANGE.finditer(s):
        s2 = m["s2"] or m["s1"]
        s1 = m["s1"] or m["s2"]
        add(_Number(m.start(), m.end(), "USD", low=_scaled(m["lo"], s1), high=_scaled(m["hi"], s2)))
    for m in MONEY_RANGE_HIGH.finditer(s):
        lo_text = m["lo"].lower()
        lo = Decimal(_SMALL_WORDS[lo_text]) if lo_text in _SMALL_WORDS else _dec(lo_text)
        low, high = _scaled(str(lo), m["s"]), _scaled(m["hi"], m["s"])
        if high / 10 <= low < high:  # a year or a count before "and $5 million" is no low end
            add(_Number(m.start(), m.end(), "USD", low=low, high=high))
    for m in CENTS_RANGE.finditer(s):
        add(_Number(m.start(), m.end(), "USD", low=Decimal(m["lo"]) / 100, high=Decimal(m["hi"]) / 100, cents=True))
    for m in MONEY.finditer(s):
        if m["c"] and m["c"].lower() in _SMALL_WORDS and _TENS_BEFORE.search(s, max(0, m.start() - 12), m.start()):
            continue  # "twenty one cents": not one cent
        if m["c"]:
            cents = Decimal(_SMALL_WORDS[m["c"].lower()]) if m["c"].lower() in _SMALL_WORDS else Decimal(m["c"])
            add(_Number(m.start(), m.end(), "USD", value=cents / 100, cents=True))
        else:
            add(_Number(m.start(), m.end(), "USD", value=_scaled(m["v"], m["s"])))
    for m in BARE_MILLIONS_RANGE.finditer(s) if bare_money else ():
        low, high = _scaled(m["lo"], m["s1"] or m["s2"]), _scaled(m["hi"], m["s2"])
        if high / 10 <= low < high and not _a_count(s, m.start()):
            add(_Number(m.start(), m.end(), "BareMoney", low=low, high=high))
    for m in BARE_MILLIONS.finditer(s) if bare_money else ():
        if not _a_count(s, m.start()):
            add(_Number(m.start(), m.end(), "BareMoney", value=_scaled(m["v"], m["s"])))
    for m in BPS_RANGE.finditer(s):
        add(_Number(m.start(), m.end(), "BasisPoints", low=_dec(m["lo"]), high=_dec(m["hi"])))
    for m in BPS.finditer(s):
        add(_Number(m.start(), m.end(), "BasisPoints", value=_dec(m["v"])))
    for m in PERCENT_RANGE.finditer(s):
        lo = m["lo"].lower()
        add(_Number(m.start(), m.end(), "Percent", low=Decimal(_SMALL_WORDS[lo]) if lo in _SMALL_WORDS else _dec(lo), high=_dec(m["hi"])))
    for m in PERCENT.finditer(s):
        add(_Number(m.start(), m.end(), "Percent", value=_dec(m["v"])))
    for m in DAYS.finditer(s):
        add(_Number(m.start(), m.end(), "Days", value=_dec(m["v"])))
    for m in PLAIN_RANGE.finditer(s):
        lo, hi = (m["lo"], m["hi"]) if m["lo"] else (m["lo2"], m["hi2"])
        if _dec(lo) < _dec(hi) and not any(Decimal(1900) <= _dec(v) <= Decimal(2100) for v in (lo, hi)):
            add(_Number(m.start(), m.end(), "PlainRange", low=_dec(lo), high=_dec(hi)))
    for m in COUNT_NEW.finditer(s):
        add(_Number(m.start("v"), m.end("v"), "Count", value=_dec(m["v"])))
    for m in COUNT_TOTAL.finditer(s):
        group = "v" if m["v"] else "w"
        add(_Number(m.start(group), m.end(), "Total", value=_dec(m[group])))
    for m in PLAIN.finditer(s):
        v = _dec(m["v"])
        if Decimal(1900) <= v <= Decimal(2100) and "." not in m["v"]:
            continue  # a year
        add(_Number(m.start(), m.end(), "Plain", value=v))
    found.sort(key=lambda n: n.start)
    return found


def _metrics(s: str, company: str = "") -> list[_Metric]:
    found: list[_Metric] = []
    for metric, rx in _METRIC_RX:
        for m in rx.finditer(s):
            if any(f.start < m.end() and m.start() < f.end for f in found):
                continue
            if metric == OTHER and _COSTS.fullmatch(m.group(0)) and _CAUSE_BEFORE.search(s, max(0, m.start() - 50), m.start()):
                continue  # "margin expanded on lower input costs, up 120 basis points": the costs are a cause, not a subject
            other = metric in _METRICS_OF_PARTS and _of_a_part(s, m, company) or _RATIO_OF.search(s, max(0, m.start() - 30), m.start()) is not None
            found.append(_Metric(OTHER if other else metric, m.start(), m.end()))
    found.sort(key=lambda m: m.start)
    return found


def _of_a_part(s: str, m: re.Match, company: str) -> bool:
    """Whether the metric named at `m` is a segment's, a region's, a product line's or a customer
    group's rather than the company's: "retail revenue", "our XR-5 revenue", "Widgetco's gross
    margin", "revenue from new markets", "revenue for our home products category".
    kg keeps the company's figures only; a part's would be stored as the whole."""
    word = _WORD_BEFORE.search(s, max(0, m.start() - 40), m.start())  # a window: a long unpunctuated turn is one sentence
    if word and (_STREAM_WORDS.fullmatch(word.group(1)) or not _NOT_A_PART.fullmatch(word.group(1))
                 and re.search(r"[A-Za-z]", word.group(1)) and not _the_companys(word.group(1), company)):
        return True
    return m.group(0).lower().startswith(("revenue", "net sales", "sales")) and _PART_AFTER.match(s, m.end()) is not None


def _bind(number: _Number, metrics: list[_Metric], s: str, is_change: bool) -> _Metric | None:
    """The metric a number is about: the nearest before it, unless one follows right after."""
    after = [m for m in metrics if m.start >= number.end and m.start - number.end <= 30]
    if after and re.fullmatch(r"\s*(?:in|of|for|on)\s+(?:our\s+|the\s+|new\s+)?(?:[\w-]+\s+)?", s[number.end:after[0].start], re.I):
        return after[0]
    if after and is_change and number.unit == "Percent" and re.fullmatch(r"\s*(?:[\w-]+\s+){0,2}", s[number.end:after[0].start]):
        return after[0]  # "10% sequential quarterly revenue growth"
    if number.unit == "Count":
        return next((m for m in metrics if m.metric == "NewCustomers" and m.start >= number.end and m.start - number.end < 20), None)
    before = [m for m in metrics if m.end <= number.start]
    if not before:
        return None
    if _CLAUSE_BREAK.search(s[before[-1].end:number.start]) and not _TOPIC_BEFORE.search(s[:before[-1].start]):
        return None
    if number.start - before[-1].end <= 90 or is_change:
        return before[-1]
    return None


def _fits(metric: str, unit: str, is_change: bool) -> str | None:
    """The unit a figure of `metric` takes, or None when a number of this kind cannot measure it."""
    if metric in USD_METRICS:
        if unit == "USD" or unit == "BareMoney" and metric != "EarningsPerShare":
            return "USD"
        return "Percent" if unit == "Percent" and is_change else None
    if metric == "GrossMargin":
        if unit == "Percent":
            return "Percent"
        return "BasisPoints" if unit == "BasisPoints" else None
    if metric == "DaysSalesOutstanding":
        return "Days" if unit in ("Days", "Plain") else None
    if metric == "InventoryTurns":
        return "Ratio" if unit in ("Plain", "Percent") and not is_change else None
    if metric == "NewCustomers":
        return "Count" if unit == "Count" else None
    if metric == "CustomerCount":
        return "Count" if unit == "Total" else None
    return None


def _near_target(s: str, number: _Number) -> bool:
    """A target cue in the number's own clause: "target financial model of 100 to 200 basis points"."""
    before = s[max(0, number.start - 60):number.start]
    after = s[number.end:number.end + 20]
    if _TARGET.search(after):
        return True
    m = None
    for m in _TARGET.finditer(before):
        pass
    return m is not None and not re.search(r"[,;]\s*(?:with|and|while|but)\b|[.;]", before[m.end():])


def _quarter_after(number: _Number, s: str, quarters: list[tuple[int, int]]) -> bool:
    """Whether a quarter is named just after the number, in its clause: "$40 million in the quarter"."""
    after = re.split(r"[,;]", s[number.end:number.end + 60])[0]
    return any(number.end <= q0 and q1 <= number.end + len(after) for q0, q1 in quarters)


def _half_year(number: _Number, s: str, quarters: list[tuple[int, int]], months: list[re.Match]) -> bool:
    """Whether "the first six months" (or "year to date", "the first half") is said of this number:
    in its own clause (no comma between), right after it, or fronting the sentence ("For the first
    six months, revenue was ..."), and no quarter named between them or just after the number
    ("or $40 million in the quarter")."""
    if _quarter_after(number, s, quarters):
        return False
    after = re.split(r"[,;]", s[number.end:number.end + 60])[0]
    clause_start = max(s.rfind(",", 0, number.start), s.rfind(";", 0, number.start)) + 1
    for m in months:
        if m.end() <= number.start and (m.start() >= clause_start or _FRONTED.fullmatch(s[:m.start()])):
            if not any(m.end() <= q0 and q1 <= number.start for q0, q1 in quarters):
                return True
        elif m.start() >= number.end and m.start() - number.end <= len(after):
            return True
    return False


def _after(period: FiscalPeriod, context: FiscalPeriod) -> bool:
    """Whether `period` is still to come in a call about `context`: a later quarter, a later year,
    or the call's own year while a quarter of it is still to report."""
    if period.year != context.year:
        return period.year > context.year
    if period.quarter is None:
        return context.quarter is not None and context.quarter < 4
    return context.quarter is not None and period.quarter > context.quarter


def _change(s: str, number: _Number, following: _Number | None, context: FiscalPeriod | None = None) -> Change | None:
    tail = s[number.end:number.end + 60]
    # "an increase of $29 million or 11% sequentially": the cue after the second covers both.
    if following is not None and re.fullmatch(r"\s*,?\s*or\s*", s[number.end:following.start]) and \
            _CHANGE_BEFORE.search(s[max(0, number.start - 30):number.start]):
        tail = s[following.end:following.end + 60]
    if _SEQ.search(tail):
        return Change.SEQUENTIAL
    if _YOY.search(tail):
        return Change.YEAR_OVER_YEAR
    against = _AGAINST_A_QUARTER.match(tail)
    if against and context is not None and context.quarter:
        named = int(against["q"]) if against["q"] else _ORDINAL[against["ord"].lower()]
        a_year_before = _YEAR_WORDS.search(against["rest"]) is not None
        if a_year_before and named == context.quarter:
            return Change.YEAR_OVER_YEAR  # "up 12% over Q2 last year" in a second-quarter call
        if not a_year_before and named == context.previous_quarter().quarter:
            return Change.SEQUENTIAL  # "up 12% over Q1" in a second-quarter call
    return None


def _part_starts(s: str, company: str) -> int | None:
    """Where a part of the company takes the sentence over (0: all of it), or None if it does not."""
    if _BREAKS_DOWN.match(s):
        return 0
    frame = _FRAMED_BY_A_PART.match(s)
    if frame:
        part = frame["part"] or frame["within"]
        if not _PERIOD_OR_LINK.search(part) and not _the_companys(part.split()[0], company):
            return 0
    return next((a.start() for a in _ANOTHER_REPORTS.finditer(s)
                 if a["who"].upper() not in _METRIC_ACRONYMS and not _the_companys(a["who"], company)), None)


def _compared_period(number: _Number, numbers: list[_Number], i: int, s: str, s_start: int,
                     s_periods: list[PeriodMention], before_text: str, context: FiscalPeriod) -> tuple[FiscalPeriod | None, bool]:
    """The period of an amount said to compare ("compared to $52 million in the prior quarter"), and
    whether to skip it: a base amount whose period cannot be told is left out, not given the call's."""
    # The quarter the sentence is about: the last one named before the amount, or the call's; a
    # sentence about the full year compares years.
    about = next((p.period for p in reversed(s_periods) if p.start - s_start < number.start), None)
    if about is None:
        about = FiscalPeriod(context.year) if _FULL_YEAR.search(s, 0, number.start) else context
    after = _said_after(number, numbers, i, s)
    if _A_YEAR_BEFORE.match(after):  # "... in the year-ago period", "... a year ago"
        return FiscalPeriod(about.year - 1, about.quarter), False
    if not _FROM_BEFORE.search(before_text):
        return None, False  # "compared with net income of $2.1 million": only a year-ago phrase places it
    if about.quarter and _PRIOR_QUARTER_AFTER.match(s, number.end):  # "... in the prior quarter": before the one discussed
        return about.previous_quarter(), False
    following = [p for p in s_periods if 0 <= p.start - s_start - number.end <= 25]
    if following:  # "compared to $52 million in Q2 2024"; the call's own period or a bare year there was misread
        named = following[0].period
        return (named, False) if named != context and (named.quarter or not about.quarter) else (None, True)
    if re.search(r"\b(?:up|down|increase[sd]?|decrease[sd]?|rose|fell)\s+from\s+$", before_text, re.I) and about.quarter:
        return about.previous_quarter(), False  # "3.4, up from 3.6%": against the quarter before
    return None, True


def _said_after(number: _Number, numbers: list[_Number], i: int, s: str) -> str:
    """The words after a number, up to the next one: those after "$0.25" too when the number is
    "$3.2 million, or $0.25 per share", whose words then speak of both."""
    after = numbers[i + 1:]
    if after and re.fullmatch(r"\s*,?\s*(?:or|and)\s+(?:an?\s+)?", s[number.end:after[0].start]):
        number, after = after[0], after[1:]
    return s[number.end:min(after[0].start if after else len(s), number.end + 80)]


def _period_for(number: _Number, periods: list[PeriodMention], s_start: int, others: list[_Number], s_text: str) -> PeriodMention | None:
    """The period a number is for: the nearest phrase before it in the sentence, else right after.

    `periods` leaves out comparison bases ("from the third quarter").
    """
    before = [p for p in periods if p.end - s_start <= number.start]
    after = [p for p in periods if p.start - s_start >= number.end and p.start - s_start - number.end <= 60]
    if after and any(number.end <= n.start and n.end <= after[0].start - s_start for n in others):
        after = []
    if after and re.fullmatch(r"\s*(?:for|in|during)\s+(?:the\s+)?", s_text[number.end:after[0].start - s_start], re.I):
        return after[0]  # "$114.1 million for the third quarter of 2019": the period the amount is said for
    if after and before:
        # "… 2025 …, with $7 million of buybacks completed in the quarter": the closer clause wins.
        gap_after = after[0].start - s_start - number.end
        gap_before = number.start - (before[-1].end - s_start)
        if gap_after < gap_before:
            return after[0]
    if before:
        return before[-1]
    return after[0] if after else None


def _echoed(number: _Number, stated: Sequence[Figure]) -> Figure | None:
    """The figure a metric-less range restates: "we still think we can grow between 100 and 200" after
    "gross margin improvement of 100 to 200 basis points". A pair of bounds is distinctive enough to
    say which; a single number is not, so only ranges are echoes."""
    if number.low is None or number.high is None:
        return None
    for f in reversed(stated):
        if (f.low, f.high) == (_canonical(number.low), _canonical(number.high)) and number.unit in ("PlainRange", f.unit):
            return f
    return None


def _rate_period(text: str, periods: list[PeriodMention], context: FiscalPeriod) -> FiscalPeriod:
    """The period of a rate "per quarter" with no period of its own: the coming year the passage names,
    else the year ahead (a late-year call looks to next year, an early one to the rest of this one)."""
    years = [p.period for p in periods if p.period.quarter is None and p.explicit_year and p.period.year >= context.year]
    if years:
        return years[0]
    return FiscalPeriod(context.year + 1) if (context.quarter or 4) >= 3 else FiscalPeriod(context.year)


def extract_figures(turn: Turn, context: FiscalPeriod, all_non_gaap: bool, speaker: str | None,
                    earlier: Sequence[Figure] = (), company: str = "") -> list[Figure]:
    """Every figure in one turn of the company's people (or a note's body).

    `earlier` are the figures the call stated before this turn, which a bare restatement
    ("between 100 and 200") takes its metric, unit and period from. `company`, the company's name,
    tells its own figures ("Acme's revenue") from a part's ("Widgetco's gross margin").
    """
    figures: list[Figure] = []
    offsets = turn.paragraph_offsets()
    bare_money = not _OTHER_CURRENCY.search(turn.text)  # "58 million" is dollars unless the turn names another currency
    last_metric: str | None = None
    for index, para in enumerate(turn.paragraphs):
        text = para.text
        periods = find_periods(text, context)
        # "from the third quarter" names the base of a comparison, never the period of a figure.
        # "Last quarter, we said ..." is when it was said.
        own_periods = [p for p in periods if not _FROM_BEFORE.search(text[max(0, p.start - 45):p.start])
                       and not _OVER_BASE.search(text[max(0, p.start - 45):p.start])
                       and not _SAID_AFTER.match(text[p.end:p.end + 40])]
        carried_period: PeriodMention | None = None
        part_before = False  # a sentence before turned to one segment ("Turning to our fuel division.")
        for s_start, s_end in sentences(text):
            s = text[s_start:s_end]
            if _NOT_THE_COMPANYS.search(s):
                continue
            metrics = _metrics(s, company)
            numbers = _numbers(s, bare_money)
            heading = _TURNS_TO_A_PART.search(s) is not None
            part_from = 0 if part_before or heading else _part_starts(s, company)
            if part_from is not None:
                metrics = [_Metric(OTHER, m.start, m.end) if m.metric in _METRICS_OF_PARTS and m.start >= part_from else m
                           for m in metrics]
            part_before = (part_before or heading) and not numbers  # a heading holds until the first sentence with figures
            s_periods = [p for p in periods if s_start <= p.start < s_end]
            guidance_cue = _GUIDANCE.search(s) is not None
            sentence_change: Change | None = None
            target_cue = _TARGET.search(s) is not None
            echo_period: PeriodMention | None = None  # the period a restated figure gives the rest of its sentence
            sentence_metric: str | None = None  # the metric of the sentence's last figure
            months_end = -1  # where the last amount said of six or nine months ended
            quarters = [(p.start - s_start, p.end - s_start) for p in s_periods if p.period.quarter]
            months = list(_MONTHS.finditer(s))
            unnamed = False  # whether an amount before in this sentence is of nothing kg knows: its subject is another
            for i, number in enumerate(numbers):
                if months and _half_year(number, s, quarters, months) or months_end >= 0 and _RESTATED_CHANGE.fullmatch(
                        s[months_end:number.start]) and not _quarter_after(number, s, quarters):
                    months_end = number.end  # "... totaled 419.4 million for the first six months, up 3%"
                    continue
                following = numbers[i + 1] if i + 1 < len(numbers) else None
                change = _change(s, number, following, context)
                before_text = s[max(0, number.start - 30):number.start]
                is_change = change is not None or _CHANGE_BEFORE.search(before_text) is not None
                bound = _bind(number, metrics, s, is_change) if number.unit != "Total" else None
                metric = bound.metric if bound else ("CustomerCount" if number.unit == "Total" else None)
                if _PER_AFTER.search(s[number.end:number.end + 60]):
                    continue  # "$10 to $50 of incremental revenue per month per subscriber"
                if metric is None and last_metric and not any(m.end <= number.start for m in metrics) and (
                        is_change and number.unit != "Count" or number.unit == "BasisPoints") and not unnamed and not _OWN_SUBJECT.search(s, max(0, number.start - 300), number.start):
                    metric = last_metric  # "Up 7% sequentially": the metric of the sentence before
                said_growth: tuple[int, int] | None = None  # the words that make a bare rate the company's growth
                if metric is None and number.unit == "Percent" and not any(m.end <= number.start for m in metrics):
                    growth = _BARE_GROWTH_AFTER.search(s[number.end:number.end + 60])
                    grow = _WE_GROW_BEFORE.search(s[max(0, number.start - 80):number.start])
                    if growth and sentence_metric in USD_METRICS:
                        said_growth, metric = (number.start, number.end + growth.end()), sentence_metric
                    elif grow:
                        said_growth, metric = (max(0, number.start - 80) + grow.start(), number.end), "Revenue"
                if said_growth is not None:
                    if change is None:
                        clause = _CLAUSE_BREAK.split(s[number.end:number.end + 60], maxsplit=1)[0]
                        change = Change.SEQUENTIAL if _SEQUENTIAL_WORDS.search(clause) else Change.YEAR_OVER_YEAR
                        is_change = True
                if number.unit == "USD" and (number.cents or _PER_SHARE_AFTER.search(s[number.end:number.end + 30])):
                    # "net income of $749 million, or $1.52 per share", "EPS of 66 cents"
                    if metric in ("NetIncome", "EarningsPerShare") or (
                            metric is None or metric == OTHER) and _OR_BEFORE.search(before_text) and sentence_metric == "NetIncome":
                        metric = "EarningsPerShare"
                    else:
                        continue
                if metric == OTHER:
                    continue
                if metric is None:
                    echo = _echoed(number, [*earlier, *figures])
                    unnamed = unnamed or echo is None and number.unit in ("USD", "BareMoney") and not _SET_ASIDE.search(before_text)
                    if echo is not None:
                        figures.append(_restated(echo, turn, offsets[index] + s_start, s, number, speaker,
                                                 Kind.TARGET if target_cue and _near_target(s, number) else
                                                 Kind.GUIDANCE if guidance_cue and echo.kind != Kind.REPORTED else echo.kind))
                        echo_period = PeriodMention(echo.period, s_start + number.start, s_start + number.end, True)
                        sentence_metric = echo.metric
                    continue
                if _PRICE_BEFORE.search(before_text) and metric != "EarningsPerShare":
                    continue  # "at an average price of $35"
                base_period = None
                if not is_change and number.value is not None and (
                        _FROM_BEFORE.search(before_text) or _COMPARING.search(s, max(0, number.start - 80), number.start)):
                    base_period, skip = _compared_period(number, numbers, i, s, s_start, s_periods, before_text, context)
                    if skip:
                        continue
                    if base_period is not None and metric == "NetIncome" and sentence_metric == "EarningsPerShare" and \
                            abs(number.value) < 100:
                        metric = "EarningsPerShare"  # "net income of $30 million, or $0.45 per share, against $0.38 ..."
                inherits = is_change or (metric in USD_METRICS and re.search(r"\b(?:was|were|is)\s+$", before_text))
                if change is None and inherits and sentence_change is not None and number.unit == "Percent":
                    change = sentence_change  # "rose 10% sequentially ... and current RPO increased 10%"
                if change is None and is_change:
                    change = Change.YEAR_OVER_YEAR if _YOY.search(s[number.end:number.end + 80]) else change
                if change is None and is_change and number.unit in ("USD", "BareMoney", "Days") and context.quarter:
                    change = Change.SEQUENTIAL  # "deposits decreased by $3 million": against last quarter
                if change is None and number.unit == "Percent" and metric in USD_METRICS and _GROWTH_AFTER.search(s[number.end:number.end + 40]):
                    change = Change.SEQUENTIAL if re.search(r"sequential", s[number.end:number.end + 40], re.I) else Change.YEAR_OVER_YEAR
                if change is None and bound is not None and number.unit == "Percent" and metric in USD_METRICS and \
                        re.match(r"\s+growth\b", s[bound.end:bound.end + 10], re.I):
                    change = Change.SEQUENTIAL if re.search(r"sequential", s, re.I) else Change.YEAR_OVER_YEAR
                if change is None and number.unit == "BasisPoints" and metric == "GrossMargin":
                    change = Change.SEQUENTIAL if re.search(r"sequential|prior quarter|previous quarter|from Q[1-4] to Q[1-4]", s, re.I) else Change.YEAR_OVER_YEAR
                unit = _fits(metric, number.unit, change is not None)
                if unit is None:
                    continue
                if metric in USD_METRICS and unit == "Percent" and change is None:
                    continue
                value, low, high = number.value, number.low, number.high
                if value is not None and number.unit in ("USD", "BareMoney") and change is None and _UPPER_BOUND_BEFORE.search(before_text):
                    value, high = None, value  # "somewhere under $600 million"
                if change is not None and (_DOWN_BEFORE.search(before_text) or not _CHANGE_BEFORE.search(before_text)
                                           and _DOWN_AFTER.match(s[number.end:number.end + 40])):
                    if value is not None:
                        value = -value
                    elif low is not None and high is not None:  # "a decrease of 17% to 9.5%"
                        low, high = min(-low, -high), max(-low, -high)
                if value is not None and metric in ("NetIncome", "EarningsPerShare") and change is None and (
                        re.search(r"net loss", s[bound.start:bound.end] if bound else "", re.I) or _LOSS_BEFORE.search(before_text)):
                    value = -value

                kind = Kind.TARGET if target_cue and _near_target(s, number) else None
                period_mention = _period_for(number, [p for p in own_periods if s_start <= p.start < s_end], s_start, numbers, s)
                if period_mention is None and echo_period is not None:
                    period_mention = echo_period
                if period_mention is None and guidance_cue and _PER_QUARTER_AFTER.search(s[number.end:number.end + 30]):
                    # "1% to 5% per quarter": a rate for the quarters of a coming year
                    period_mention = PeriodMention(_rate_period(text, own_periods, context), s_start + number.start,
                                                   s_start + number.end, False)
                if period_mention is None and (guidance_cue or kind) and carried_period is not None:
                    period_mention = carried_period
                if period_mention is not None:
                    period = period_mention.period
                    if period.quarter is None and period.year <= context.year and not (guidance_cue or kind) and \
                            context.quarter and not _FULL_YEAR.search(s):
                        period = context  # "We closed 2023 ... revenue of $264.7 million": the quarter
                else:
                    period = context.next_quarter() if guidance_cue and kind is None else context
                full_year = period_mention is None and _FULL_YEAR.search(s, 0, number.start) is not None and not any(
                    p.period.quarter and p.start - s_start < number.start for p in s_periods)
                if full_year:
                    period = FiscalPeriod(context.year)  # "We now forecast full-year revenue of $1.0 billion": the year's
                if base_period is not None:
                    kind, period = Kind.REPORTED, base_period
                if kind is None and change is not None and period_mention is None and not full_year:
                    kind, period = (Kind.GUIDANCE, context.next_quarter()) if re.search(
                        r"would represent|at the midpoint", s, re.I) else (Kind.REPORTED, context)
                if kind is None:
                    if _after(period, context):
                        kind = Kind.GUIDANCE
                    elif guidance_cue and period_mention is None and not full_year and re.search(r"guidance|outlook|guided", s, re.I):
                        kind, period = Kind.GUIDANCE, context.next_quarter()
                    else:
                        kind = Kind.REPORTED

                basis = None
                if bound is not None:
                    lead = s[max(0, bound.start - 20):bound.start]
                    if _NON_GAAP.search(lead):
                        basis = Basis.NON_GAAP
                    elif _GAAP.search(lead):
                        basis = Basis.GAAP
                if basis is None and all_non_gaap and metric not in NOT_FINANCIAL:
                    basis = Basis.NON_GAAP

                q_start, q_end = said_growth or (number.start, number.end)
                if bound is not None:
                    q_start, q_end = min(number.start, bound.start), max(number.end, bound.end)
                if change is not None:
                    cue = _SEQ.search(s[number.end:]) or _YOY.search(s[number.end:])
                    if cue and cue.end() < 40:
                        q_end = max(q_end, number.end + cue.end())
                start = offsets[index] + s_start + q_start
                end = offsets[index] + s_start + q_end
                if change is not None:
                    sentence_change = change
                sentence_metric = metric
                figures.append(Figure(
                    metric=metric, unit=unit, period=period, kind=kind,
                    span=Span(turn.order, start, end, turn.text[start:end], index + 1),
                    value=_canonical(value), low=_canonical(low), high=_canonical(high),
                    basis=basis, change=change, speaker=speaker,
                ))
            if metrics:
                last_metric = metrics[-1].metric
            if s_periods:
                own = [p for p in own_periods if s_start <= p.start < s_end]
                carried_period = own[-1] if own else carried_period
    return figures


def _restated(echo: Figure, turn: Turn, offset: int, s: str, number: _Number, speaker: str | None, kind: Kind) -> Figure:
    """A figure that restates `echo` in other words: its metric, unit, change, period and basis, this turn's quote."""
    start, end = offset + number.start, offset + number.end
    paragraph = next(i + 1 for i, off in reversed(list(enumerate(turn.paragraph_offsets()))) if off <= start)
    return Figure(metric=echo.metric, unit=echo.unit, period=echo.period, kind=kind,
                  span=Span(turn.order, start, end, turn.text[start:end], paragraph),
                  low=echo.low, high=echo.high, basis=echo.basis, change=echo.change, speaker=speaker)


def unique(figures: list[Figure]) -> list[Figure]:
    """One figure per fact: the same value for the same metric, period and kind is said once."""
    seen: set[tuple] = set()
    result = []
    for f in figures:
        key = (f.metric, f.period, f.kind, f.basis, f.change, f.value, f.low, f.high, f.unit)
        if key in seen:
            continue
        seen.add(key)
        result.append(f)
    return result
