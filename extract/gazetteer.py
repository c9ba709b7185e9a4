"""What kg knows before it reads a call: programmes, agencies, firms, companies, products, places.

Plain tables a domain expert can edit. Each entry is the canonical name, then the other forms
transcripts write (speech-to-text variants included); matching is case-insensitive.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import EntityType
from .names import ascii_fold, slug


@dataclass(frozen=True)
class Known:
    type: EntityType
    label: str
    aliases: tuple[str, ...] = ()
    agency: str | None = None  # programmes: the label of the agency that runs them
    case_sensitive: tuple[str, ...] = ()  # forms that are only the entity when written in this case

    @property
    def key(self) -> str:
        return slug(self.label)


P, A, F, O, PR, PL = (
    EntityType.PROGRAM,
    EntityType.AGENCY,
    EntityType.RESEARCH_FIRM,
    EntityType.ORGANIZATION,
    EntityType.PRODUCT,
    EntityType.PLACE,
)

AGENCIES = [
    Known(A, "NTIA", ("National Telecommunications and Information Administration",)),
    Known(A, "FCC", ("Federal Communications Commission",)),
    Known(A, "USDA", ("U.S. Department of Agriculture", "Department of Agriculture", "Rural Utilities Service")),
    Known(A, "U.S. Treasury", ("Treasury", "Department of the Treasury", "U.S. Department of the Treasury")),
    Known(A, "SEC", ("Securities and Exchange Commission",), case_sensitive=("SEC",)),
    Known(A, "CRTC", ("Canadian Radio-television and Telecommunications Commission",)),
]

PROGRAMS = [
    Known(P, "BEAD", ("Broadband Equity, Access, and Deployment", "Broadband Equity Access and Deployment",
                      "BEAD program", "B program"), agency="NTIA"),
    Known(P, "RDOF", ("Rural Digital Opportunity Fund", "RDOF program"), agency="FCC"),
    Known(P, "ARPA", ("American Rescue Plan Act", "American Rescue Plan"), agency="U.S. Treasury"),
    Known(P, "Capital Projects Fund", ("ARPA capital projects", "capital projects fund", "Capital Projects"), agency="U.S. Treasury"),
    Known(P, "ReConnect", ("ReConnect program", "Reconnect"), agency="USDA"),
    Known(P, "Enhanced A-CAM", ("Enhanced Alternative Connect America Cost Model", "enhanced ACAM", "E-ACAM", "A-CAM"), agency="FCC"),
    Known(P, "Tribal Broadband Connectivity Program", ("Tribal Broadband Connectivity", "Tribal"), agency="NTIA",
          case_sensitive=("Tribal",)),
    Known(P, "CAF II", ("Connect America Fund", "CAF", "CAF-II", "CAF 2"), agency="FCC", case_sensitive=("CAF",)),
    Known(P, "Affordable Connectivity Program", ("ACP",), agency="FCC", case_sensitive=("ACP",)),
    Known(P, "Universal Service Fund", ("USF",), agency="FCC", case_sensitive=("USF",)),
    Known(P, "E-Rate", ("E-rate",), agency="FCC"),
    Known(P, "Enabling Middle Mile Broadband Infrastructure Program", ("Middle Mile program",), agency="NTIA"),
    Known(P, "Infrastructure Investment and Jobs Act", ("IIJA", "infrastructure bill")),
]

FIRMS = [
    Known(F, "Jefferies", ("Jefferies LLC", "Jefferies & Company")),
    Known(F, "Needham & Company", ("Needham and Company", "Needham & Co", "Needham")),
    Known(F, "Craig-Hallum", ("Craig Hallum", "Craig-Hallum Capital Group")),
    Known(F, "JPMorgan", ("JP Morgan", "J.P. Morgan", "JPMorgan Chase", "J.P. Morgan Securities")),
    Known(F, "Northland Capital Markets", ("Northland Capital", "Northland Securities", "Northland")),
    Known(F, "ROTH Capital Partners", ("ROTH MKM", "Roth Capital", "Roth MKM", "ROTH Capital", "Roth")),
    Known(F, "Cowen", ("Cowen and Company", "Cowen & Company", "TD Cowen", "Cowen Inc.")),
    Known(F, "Rosenblatt Securities", ("Rosenblatt",)),
    Known(F, "Wolfe Research", ("Wolfe",)),
    Known(F, "Goldman Sachs", ("Goldman",)),
    Known(F, "Morgan Stanley", ()),
    Known(F, "BofA Securities", ("Bank of America", "BofA", "Bank of America Merrill Lynch", "Merrill Lynch")),
    Known(F, "Citigroup", ("Citi", "Citigroup Global Markets")),
    Known(F, "Barclays", ()),
    Known(F, "UBS", ()),
    Known(F, "Deutsche Bank", ()),
    Known(F, "Credit Suisse", ()),
    Known(F, "Wells Fargo Securities", ("Wells Fargo",)),
    Known(F, "Raymond James", ()),
    Known(F, "KeyBanc Capital Markets", ("KeyBanc", "Key Banc")),
    Known(F, "Piper Sandler", ("Piper Jaffray",)),
    Known(F, "Stifel", ("Stifel Nicolaus",)),
    Known(F, "Oppenheimer", ("Oppenheimer & Co",)),
    Known(F, "Evercore ISI", ("Evercore",)),
    Known(F, "RBC Capital Markets", ("RBC",)),
    Known(F, "William Blair", ()),
    Known(F, "Baird", ("Robert W. Baird",), case_sensitive=("Baird",)),
    Known(F, "BMO Capital Markets", ("BMO",)),
    Known(F, "Truist Securities", ("Truist", "SunTrust")),
    Known(F, "Mizuho", ("Mizuho Securities",)),
    Known(F, "Bernstein", ("Sanford C. Bernstein", "AllianceBernstein")),
    Known(F, "B. Riley Securities", ("B. Riley", "B Riley")),
    Known(F, "Loop Capital", ()),
    Known(F, "Macquarie", ()),
    Known(F, "Cantor Fitzgerald", ()),
    Known(F, "Susquehanna", ()),
    Known(F, "Argus Research", ()),
    Known(F, "Sidoti & Company", ("Sidoti",)),
    Known(F, "Lake Street Capital Markets", ("Lake Street",)),
    Known(F, "Dougherty & Company", ("Dougherty",)),
    Known(F, "Wedbush Securities", ("Wedbush",)),
    Known(F, "The Benchmark Company", ("Benchmark Company",)),
]

ORGANIZATIONS = [
    Known(O, "Calix", ("Calix Inc.", "Calix, Inc.", "CALX")),
    Known(O, "Verizon", ("Verizon Communications", "Veri Verizon")),
    Known(O, "CenturyLink", ()),
    Known(O, "Lumen", ("Lumen Technologies",)),
    Known(O, "Brightspeed", ("Brighte", "brights Speed", "Bright Speed")),
    Known(O, "ALLO", ("ALLO Communications",), case_sensitive=("ALLO",)),
    Known(O, "Tombigbee", ("Tong Bigby", "Tom Bigby", "Tombigbee Communications", "Tombigbee Electric")),
    Known(O, "Lumos", ("Lumos Fiber",)),
    Known(O, "T-Mobile", ("T Mobile",)),
    Known(O, "Frontier", ("Frontier Communications",), case_sensitive=("Frontier",)),
    Known(O, "AT&T", ("AT & T",)),
    Known(O, "Amazon", ("Amazon Kuiper", "Project Kuiper")),
    Known(O, "Google", ("Alphabet",)),
    Known(O, "Starlink", ("SpaceX",)),
    Known(O, "Comcast", ()),
    Known(O, "Charter", ("Charter Communications",), case_sensitive=("Charter",)),
    Known(O, "Windstream", ()),
    Known(O, "Nokia", ()),
    Known(O, "Adtran", ("ADTRAN",)),
    Known(O, "Ciena", ()),
    Known(O, "Huawei", ()),
    Known(O, "Ericsson", ()),
    Known(O, "Cisco", ()),
    Known(O, "Microsoft", ()),
    Known(O, "Apple", (), case_sensitive=("Apple",)),
    Known(O, "Salesforce", ("Salesforce.com",)),
    Known(O, "Zoom", ("Zoom Video", "Zoom Video Communications"), case_sensitive=("Zoom",)),
    Known(O, "Netflix", ()),
    Known(O, "CityFibre", ("City Fibre",), case_sensitive=("City Fiber",)),
    Known(O, "Meta", ("Meta Platforms",), case_sensitive=("Meta",)),
    Known(O, "OpenAI", ("Open AI",)),
    Known(O, "Oracle", (), case_sensitive=("Oracle",)),
    Known(O, "IBM", (), case_sensitive=("IBM",)),
    Known(O, "Nvidia", ("NVIDIA",)),
    Known(O, "Intel", (), case_sensitive=("Intel",)),
]

PRODUCTS = [
    Known(PR, "SmartBiz", ("Calix SmartBiz",)),
    Known(PR, "CommandIQ", ("Command IQ",)),
    Known(PR, "Engagement Cloud", ("Calix Engagement Cloud",)),
    Known(PR, "Operations Cloud", ("Calix Operations Cloud",)),
    Known(PR, "Service Cloud", ("Calix Service Cloud",)),
    Known(PR, "Calix Cloud", ()),
    Known(PR, "SmartHome", ("Smart Home",), case_sensitive=("SmartHome", "Smart Home")),
    Known(PR, "SmartTown", ("Smart Town",)),
    Known(PR, "ProtectIQ", ("Protect IQ",)),
    Known(PR, "ExperienceIQ", ("Experience IQ",)),
    Known(PR, "Intelligent Access EDGE", ("Intelligent Access",)),
    Known(PR, "GigaSpire", ("GigaSpire BLAST",)),
    Known(PR, "AXOS", (), case_sensitive=("AXOS",)),
    Known(PR, "EXOS", (), case_sensitive=("EXOS",)),
    Known(PR, "Calix Broadband Platform", ()),
]

_STATES = """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho
Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi
Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Virginia
Washington Wisconsin Wyoming""".split()
_MULTI_STATES = ["New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
                 "Rhode Island", "South Carolina", "South Dakota", "West Virginia", "Puerto Rico"]
_COUNTRIES = ["United States", "Canada", "Mexico", "United Kingdom", "Germany", "France", "China", "India", "Japan",
              "Brazil", "Australia", "Taiwan", "Vietnam", "Malaysia", "Thailand", "Ireland", "Spain", "Italy",
              "Netherlands", "Switzerland", "Colombia", "Chile", "Argentina", "Peru", "Singapore", "Korea"]
PLACES = (
    [Known(PL, s, case_sensitive=(s,)) for s in _STATES + _MULTI_STATES if s not in ("Georgia", "Washington")]
    + [Known(PL, "Georgia", case_sensitive=("Georgia",)), Known(PL, "Washington", case_sensitive=("Washington State",))]
    + [Known(PL, c, case_sensitive=(c,)) for c in _COUNTRIES]
    + [Known(PL, "United States", ("U.S.", "US", "USA", "America"), case_sensitive=("U.S.", "US", "USA"))]
    + [Known(PL, "United Kingdom", ("UK", "U.K."), case_sensitive=("UK", "U.K."))]
)

ALL: list[Known] = AGENCIES + PROGRAMS + FIRMS + ORGANIZATIONS + PRODUCTS + PLACES


def _norm(text: str) -> str:
    return " ".join(ascii_fold(text).lower().replace("&", " and ").replace("-", " ").replace(".", "").split())


_BY_FORM: dict[tuple[EntityType | None, str], Known] = {}
for _k in ALL:
    for _form in (_k.label, *_k.aliases):
        _BY_FORM.setdefault((_k.type, _norm(_form)), _k)
        _BY_FORM.setdefault((None, _norm(_form)), _k)


def lookup(name: str, type: EntityType | None = None) -> Known | None:
    """The known entity a name stands for, if kg knows it."""
    return _BY_FORM.get((type, _norm(name)))


_ORG_SUFFIXES = re.compile(
    r"(,?\s+(inc|incorporated|corp|corporation|co|company|llc|ltd|limited|plc|lp|llp|group|holdings|"
    r"securities|capital markets|partners|and company|and co|sa|ag|nv|se))+$",
    re.I,
) if (re := __import__("re")) else None


def organization_key(name: str) -> str:
    """The key of an organisation: its known label's slug, else its name without legal suffixes."""
    known = lookup(name)
    if known is not None:
        return known.key
    base = _ORG_SUFFIXES.sub("", _norm(name).replace(" and company", "")) if _ORG_SUFFIXES else _norm(name)
    return slug(base or name)
