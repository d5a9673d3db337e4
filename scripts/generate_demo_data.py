#!/usr/bin/env python3
"""Generates the synthetic demo data for the three demo source systems.

Deterministic: the same script gives byte-identical output (fixed seed, fixed anchor date, sorted output).
Run from the repository root:  python3 scripts/generate_demo_data.py
Output: demo-data/<source>/<ResourceType>.ndjson (FHIR R4, one resource per line) and demo-data/manifest.json.

Every person is synthetic. CPR numbers follow MedCom's test-CPR rules: a real date that is not 1 January,
serial 99xx, a check digit that FAILS modulus 11, and "Test" among the given names.
"""
import base64
import datetime as dt
import json
import os
import random
import shutil
import uuid
from zoneinfo import ZoneInfo

ANCHOR = dt.datetime(2026, 11, 23, 9, 0, 0)  # "now" in the data; the demo shifts dates so this becomes today
SEED = 20261123
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo-data")

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
YDER_SYSTEM = "urn:oid:1.2.208.176.1.4"
SKS_SYSTEM = "urn:oid:1.2.208.176.2.4.12"
NPU_SYSTEM = "urn:oid:1.2.208.176.2.1"
ATC_SYSTEM = "http://www.whocc.no/atc"
MUNI_SYSTEM = "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes"
MUNI_EXT = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
COND_CLIN = "http://terminology.hl7.org/CodeSystem/condition-clinical"
COND_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
COND_CAT = "http://terminology.hl7.org/CodeSystem/condition-category"
INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CARECOMM_CAT = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes"
EPISODE_SYSTEM = "https://demo.sundhedscloud.dk/NamingSystem/region-h-forloeb"
SERVICE_SYSTEM = "https://demo.sundhedscloud.dk/CodeSystem/kommunale-ydelser"
APPT_TYPE_SYSTEM = "https://demo.sundhedscloud.dk/CodeSystem/konsultationstyper"
ALLERGY_CLIN = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VER = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
CAREPLAN_CAT = "http://snomed.info/sct"

MUNICIPALITIES = {
    "0101": "København", "0147": "Frederiksberg", "0151": "Ballerup", "0157": "Gentofte",
    "0159": "Gladsaxe", "0163": "Herlev", "0173": "Lyngby-Taarbæk", "0175": "Rødovre",
}
STREETS = {
    "0163": [("Herlev Bygade", "2730", "Herlev"), ("Tvedvangen", "2730", "Herlev"), ("Hjortespringvej", "2730", "Herlev"),
             ("Ringbakken", "2730", "Herlev"), ("Elmevænget", "2730", "Herlev"), ("Klausdalsbrovej", "2730", "Herlev"),
             ("Søndergårdsvej", "2730", "Herlev"), ("Æblehaven", "2730", "Herlev")],
    "0159": [("Søborg Hovedgade", "2860", "Søborg"), ("Gladsaxevej", "2860", "Søborg"), ("Bagsværd Hovedgade", "2880", "Bagsværd")],
    "0151": [("Banegårdspladsen", "2750", "Ballerup"), ("Skovlunde Byvej", "2740", "Skovlunde")],
    "0101": [("Nørrebrogade", "2200", "København N"), ("Østerbrogade", "2100", "København Ø"), ("Amagerbrogade", "2300", "København S")],
    "0157": [("Gentoftegade", "2820", "Gentofte"), ("Hellerupvej", "2900", "Hellerup")],
    "0175": [("Rødovrevej", "2610", "Rødovre")],
    "0147": [("Gammel Kongevej", "1850", "Frederiksberg C")],
    "0173": [("Lyngby Hovedgade", "2800", "Kongens Lyngby")],
}

# ---------------------------------------------------------------------------------------------------------------------
# Organisations (SOR codes and ydernumre below are fictitious demo values)

HOSPITAL_ORG = {"id": "org-hgh", "sor": "953741000016005", "name": "Herlev og Gentofte Hospital"}
DEPARTMENTS = {
    "akut": {"id": "org-hgh-akut", "sor": "953741000016013", "name": "Akutmodtagelsen, Herlev"},
    "kardio": {"id": "org-hgh-kardio", "sor": "953741000016021", "name": "Kardiologisk afdeling, Herlev"},
    "lunge": {"id": "org-hgh-lunge", "sor": "953741000016039", "name": "Lungemedicinsk afdeling, Gentofte"},
    "nefro": {"id": "org-hgh-nefro", "sor": "953741000016047", "name": "Nefrologisk afdeling, Herlev (dialyse)"},
    "endo": {"id": "org-hgh-endo", "sor": "953741000016055", "name": "Endokrinologisk afdeling, Herlev"},
    "med": {"id": "org-hgh-med", "sor": "953741000016063", "name": "Medicinsk afdeling, Herlev"},
    "orto": {"id": "org-hgh-orto", "sor": "953741000016071", "name": "Ortopædkirurgisk afdeling, Gentofte"},
}
GP_ORG = {"id": "org-laegehuset", "sor": "488201000016009", "yder": "046781", "name": "Lægehuset Herlev Bygade"}
MUNI_ORG = {"id": "org-herlev-hjemmepleje", "sor": "612301000016002", "name": "Herlev Kommune, Hjemmesygeplejen"}

HOSPITAL_DOCTORS = [("prac-h1", ["Mette"], "Kjær", "Overlæge"), ("prac-h2", ["Jonas"], "Brøndsted", "Afdelingslæge"),
                    ("prac-h3", ["Sofie"], "Ågesen", "Reservelæge"), ("prac-h4", ["Rasmus"], "Dahl", "Overlæge")]
GP_DOCTORS = [("prac-gp1", ["Hanne"], "Østergaard", "Praktiserende læge"),
              ("prac-gp2", ["Peter"], "Søgaard", "Praktiserende læge")]
NURSES = [("prac-n1", ["Lone"], "Bækgaard", "Sygeplejerske"), ("prac-n2", ["Ahmed"], "Nørby", "Sygeplejerske"),
          ("prac-n3", ["Birgitte"], "Løvgren", "Social- og sundhedsassistent")]

# ---------------------------------------------------------------------------------------------------------------------
# Clinical catalogue

CHRONIC = {
    "HF": ("DI50", "Hjertesvigt", "kardio"),
    "KOL": ("DJ44", "Kronisk obstruktiv lungesygdom (KOL)", "lunge"),
    "T2D": ("DE11", "Type 2-diabetes", "endo"),
    "HT": ("DI10", "Essentiel hypertension", "med"),
    "AF": ("DI48", "Atrieflimren og atrieflagren", "kardio"),
    "IHD": ("DI25", "Kronisk iskæmisk hjertesygdom", "kardio"),
    "CKD": ("DN18", "Kronisk nyresygdom", "nefro"),
    "ASTMA": ("DJ45", "Astma", "lunge"),
    "DEPR": ("DF32", "Depressiv enkeltepisode", "med"),
    "DEM": ("DF03", "Demens uden specifikation", "med"),
    "ARTROSE": ("DM17", "Knæledsartrose", "orto"),
    "HYPO": ("DE03", "Hypotyreose", "endo"),
}
ACUTE = {
    "PNEU": ("DJ18", "Pneumoni", "med"),
    "KOLEX": ("DJ441", "KOL med akut eksacerbation", "lunge"),
    "HFWORSE": ("DI509", "Hjertesvigt, forværring", "kardio"),
    "HOFTE": ("DS720", "Fraktur af lårbenshals", "orto"),
    "UVI": ("DN390", "Urinvejsinfektion", "med"),
    "SYNKOPE": ("DR559", "Besvimelse", "med"),
    "BRYST": ("DR074", "Brystsmerter", "kardio"),
}
MEDS = {
    "HF": [("C03CA01", "Furosemid", "40 mg 1 gang dagligt"), ("C09AA05", "Ramipril", "5 mg 1 gang dagligt"),
           ("C07AB07", "Bisoprolol", "5 mg 1 gang dagligt"), ("C03DA01", "Spironolacton", "25 mg 1 gang dagligt")],
    "KOL": [("R03BB04", "Tiotropiumbromid", "1 inhalation dagligt"), ("R03AC02", "Salbutamol", "2 pust ved behov, højst 8 dagligt")],
    "T2D": [("A10BA02", "Metformin", "1000 mg 2 gange dagligt")],
    "HT": [("C08CA01", "Amlodipin", "5 mg 1 gang dagligt")],
    "AF": [("B01AF02", "Apixaban", "5 mg 2 gange dagligt")],
    "IHD": [("B01AC06", "Acetylsalicylsyre", "75 mg 1 gang dagligt"), ("C10AA05", "Atorvastatin", "40 mg 1 gang dagligt")],
    "CKD": [("A12AA04", "Calciumcarbonat", "500 mg 3 gange dagligt"), ("A11CC03", "Alfacalcidol", "0,5 mikrogram dagligt")],
    "ASTMA": [("R03BA02", "Budesonid", "200 mikrogram 2 gange dagligt"), ("R03AC02", "Salbutamol", "2 pust ved behov")],
    "DEPR": [("N06AB06", "Sertralin", "50 mg 1 gang dagligt")],
    "DEM": [("N06DA02", "Donepezil", "10 mg til natten")],
    "ARTROSE": [("N02BE01", "Paracetamol", "1 g 3 gange dagligt")],
    "HYPO": [("H03AA01", "Levothyroxin", "50 mikrogram 1 gang dagligt")],
}
# NPU code, display, unit (UCUM), reference low/high per gender (M, F), typical mean, sd
LABS = {
    "HB": ("NPU02319", "Hæmoglobin;B", "mmol/L", {"male": (8.3, 10.5), "female": (7.3, 9.5)}, 8.6, 0.5, 1),
    "CRP": ("NPU19748", "C-reaktivt protein;P", "mg/L", {"male": (None, 8.0), "female": (None, 8.0)}, 4, 3, 0),
    "KREA": ("NPU18016", "Kreatinin;P", "umol/L", {"male": (60, 105), "female": (45, 90)}, 85, 8, 0),
    "HBA1C": ("NPU27300", "Hæmoglobin A1c (IFCC);B", "mmol/mol", {"male": (31, 44), "female": (31, 44)}, 50, 5, 0),
    "K": ("NPU03230", "Kalium;P", "mmol/L", {"male": (3.5, 4.4), "female": (3.5, 4.4)}, 4.0, 0.3, 1),
    "NA": ("NPU03429", "Natrium;P", "mmol/L", {"male": (137, 144), "female": (137, 144)}, 140, 2, 0),
}
LABS_FOR = {"HF": ["KREA", "K", "NA"], "T2D": ["HBA1C", "KREA"], "CKD": ["KREA", "K", "HB"], "AF": ["HB", "KREA"],
            "IHD": ["KREA"], "HT": ["KREA", "K", "NA"]}
ALLERGIES = [("J01CE02", "Penicillin", "Udslæt og kløe"), ("N02BA01", "Acetylsalicylsyre", "Astmaanfald"),
             ("J01EE01", "Sulfamethoxazol og trimethoprim", "Kvalme og udslæt")]

GIVEN_M = ["Søren", "Bjørn", "Jørgen", "Niels", "Poul", "Henrik", "Mads", "Ole", "Børge", "Anders", "Torben", "Kåre",
           "Frede", "Erik", "Jens", "Arne", "Mikkel", "Lars", "Ib", "Aage"]
GIVEN_F = ["Åse", "Lærke", "Birthe", "Grethe", "Karen", "Inger", "Signe", "Ingrid", "Bodil", "Kirsten", "Hanne",
           "Mette", "Solveig", "Else", "Dorthe", "Ulla", "Jytte", "Ragnhild", "Birgit", "Gurli"]
FAMILY = ["Sørensen", "Møller", "Kjærgaard", "Østergaard", "Brøndum", "Nørgaard", "Frølund", "Ærenlund", "Madsen",
          "Jørgensen", "Lykkegård", "Mølgaard", "Søndergaard", "Højgaard", "Kristiansen", "Dræbye", "Ågård",
          "Bæk", "Løkke", "Skovgård", "Thøgersen", "Winther"]


def mod11_ok(cpr):
    weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
    return sum(int(c) * w for c, w in zip(cpr, weights)) % 11 == 0


def make_cpr(birth, gender, rng, used):
    yy = birth.year % 100
    if not ((1937 <= birth.year <= 1999) or (2000 <= birth.year <= 2036)):
        raise ValueError("serial 9xxx only covers 1937-2036")
    for _ in range(1000):
        serial = 9900 + rng.randrange(100)
        if (serial % 2 == 0) != (gender == "female"):
            continue
        cpr = f"{birth.day:02d}{birth.month:02d}{yy:02d}{serial:04d}"
        if mod11_ok(cpr) or cpr in used:
            continue
        used.add(cpr)
        return cpr
    raise RuntimeError("no test CPR available")


def check_fixed_cpr(cpr, birth, gender):
    assert cpr[:6] == birth.strftime("%d%m%y"), cpr
    assert not mod11_ok(cpr), cpr
    assert cpr[6:8] == "99", cpr
    assert (int(cpr[-1]) % 2 == 0) == (gender == "female"), cpr
    assert not (birth.month == 1 and birth.day == 1), cpr


COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def iso(t):
    if isinstance(t, dt.datetime):
        return t.replace(tzinfo=COPENHAGEN).isoformat(timespec="seconds")
    return t.strftime("%Y-%m-%d")


def cc(system, code, display, text=None):
    c = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        c["text"] = text
    return c


def ref(kind, rid, display=None):
    r = {"reference": f"{kind}/{rid}"}
    if display:
        r["display"] = display
    return r


def org_ref(org, system=SOR_SYSTEM):
    return {"reference": f"Organization/{org['id']}", "identifier": {"system": system, "value": org["sor"]},
            "display": org["name"]}


# ---------------------------------------------------------------------------------------------------------------------
# People


class Person:
    def __init__(self, given, family, gender, birth, cpr, muni, conditions, gp_listed=True, home_care=False,
                 sources=None, tags=None):
        self.given = given
        self.family = family
        self.gender = gender
        self.birth = birth
        self.cpr = cpr
        self.muni = muni
        self.conditions = conditions  # key -> onset date
        self.gp_listed = gp_listed
        self.home_care = home_care
        self.sources = sources or {"hospital", "gp", "municipality"}
        self.tags = tags or []
        self.address = None
        self.phone = None
        self.long_texts = False
        self.hostile_texts = False
        self.allergies = []
        self.active_encounter = None  # "EMER" or "IMP": currently at the hospital

    @property
    def name(self):
        return " ".join(self.given + [self.family])

    def age(self, at=ANCHOR):
        b = self.birth
        return at.year - b.year - ((at.month, at.day) < (b.month, b.day))


def build_people(rng):
    used = set()
    people = []

    def fixed(cpr, given, family, gender, birth, muni, conditions, **kw):
        check_fixed_cpr(cpr, birth, gender)
        used.add(cpr)
        p = Person(given, family, gender, birth, cpr, muni, conditions, **kw)
        people.append(p)
        return p

    bruno = fixed("2509479989", ["Bruno", "Test"], "Elmer", "male", dt.date(1947, 9, 25), "0163",
                  {"T2D": dt.date(2012, 3, 14), "KOL": dt.date(2015, 10, 6), "HF": dt.date(2019, 5, 11), "HT": dt.date(2009, 2, 3)},
                  home_care=True, tags=["scenario"])
    bruno.address = ("Tvedvangen", "14, st. tv.", "2730", "Herlev")
    bruno.allergies = [ALLERGIES[0]]
    fixed("2512489996", ["Nancy", "Ann", "Test"], "Berggren", "female", dt.date(1948, 12, 25), "0163",
          {"AF": dt.date(2017, 6, 2), "ARTROSE": dt.date(2014, 4, 22), "HT": dt.date(2010, 9, 9)}, home_care=True)
    fixed("0201609995", ["Einer", "Test"], "Lauridsen", "male", dt.date(1960, 1, 2), "0159",
          {"IHD": dt.date(2018, 11, 19), "HT": dt.date(2016, 3, 1)}, gp_listed=False)
    fixed("1509819996", ["Brita", "Test"], "Berggren", "female", dt.date(1981, 9, 15), "0163",
          {"ASTMA": dt.date(2001, 5, 5)})
    karen = fixed("1703589978", ["Karen", "Test"], "Frølund", "female", dt.date(1958, 3, 17), "0163",
                  {"CKD": dt.date(2016, 8, 30), "T2D": dt.date(2008, 10, 2), "HT": dt.date(2007, 1, 15)}, home_care=True,
                  tags=["large"])
    karen.dialysis = True
    long = fixed("0811459990", ["Anne-Sophie", "Marie-Louise", "Henriette", "Test"],
                 "Kjærgaard-Østergaard Brøndum-Mikkelsen Frederiksen-Nørregaard", "female", dt.date(1945, 11, 8), "0163",
                 {"DEM": dt.date(2021, 2, 17), "HF": dt.date(2022, 7, 4), "ARTROSE": dt.date(2012, 6, 1)}, home_care=True,
                 tags=["long-texts"])
    long.long_texts = True
    long.address = ("Hjortespringvej Nordre Sidevej ved Kirkegårdens Østlige Indgang", "117B, 3. sal, lejlighed 22",
                    "2730", "Herlev")
    hostile = fixed("1206529979", ["Ib", "Test"], "Kontroltegn", "male", dt.date(1952, 6, 12), "0163",
                    {"KOL": dt.date(2019, 1, 23), "DEPR": dt.date(2020, 9, 1)}, home_care=True, tags=["hostile-text"])
    hostile.hostile_texts = True
    fixed("0405999966", ["Freja", "Test"], "Lund", "female", dt.date(1999, 5, 4), "0163", {}, sources={"gp"},
          tags=["single-source"])

    # Bulk: synthetic people spread over the region.
    munis = ["0163"] * 10 + ["0159"] * 3 + ["0151"] * 2 + ["0101"] * 2 + ["0157", "0175", "0147", "0173"]
    chronic_keys = list(CHRONIC.keys())
    while len(people) < 48:
        gender = rng.choice(["male", "female"])
        year = rng.choice(list(range(1937, 2000)) + list(range(1940, 1960)) * 2)
        month = rng.randrange(1, 13)
        day = rng.randrange(1, 29)
        if month == 1 and day == 1:
            day = 2
        birth = dt.date(year, month, day)
        cpr = make_cpr(birth, gender, rng, used)
        first = rng.choice(GIVEN_M if gender == "male" else GIVEN_F)
        givens = [first, "Test"]
        if rng.random() < 0.25:
            second = rng.choice([g for g in (GIVEN_M if gender == "male" else GIVEN_F) if g != first])
            givens.insert(1, second)
        family = rng.choice(FAMILY)
        muni = rng.choice(munis)
        age = ANCHOR.year - year
        n_chronic = 0 if age < 40 else rng.choice([0, 1, 1, 2, 2, 3] if age > 65 else [0, 0, 1, 1, 2])
        conds = {}
        for key in rng.sample(chronic_keys, n_chronic):
            onset_year = rng.randrange(max(year + 30, 2005), 2026)
            conds[key] = dt.date(onset_year, rng.randrange(1, 13), rng.randrange(1, 28))
        home_care = muni == "0163" and age > 70 and rng.random() < 0.7
        gp_listed = muni in ("0163", "0159") and rng.random() < 0.85
        sources = {"hospital", "gp", "municipality"}
        p = Person(givens, family, gender, birth, cpr, muni, conds, gp_listed=gp_listed, home_care=home_care,
                   sources=sources)
        people.append(p)

    for p in people:
        if p.address is None:
            street, postal, city = rng.choice(STREETS[p.muni])
            p.address = (street, f"{rng.randrange(1, 160)}", postal, city)
        p.phone = f"+45 {rng.randrange(20, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
        if not p.allergies and rng.random() < 0.15:
            p.allergies = [rng.choice(ALLERGIES)]
        if not p.conditions and "gp" in p.sources and p.sources != {"gp"}:
            # Healthy people are only known where they have been seen.
            p.sources = {"gp"} if p.gp_listed else {"hospital"}
        if "municipality" in p.sources and not (p.home_care and p.muni == "0163"):
            p.sources.discard("municipality")
        if "gp" in p.sources and not p.gp_listed:
            p.sources.discard("gp")
        if not p.sources:
            p.sources = {"hospital"}
    # A few people are at the hospital right now: the ED board and the wards have patients when the demo starts.
    at_hospital = [p for p in people[8:] if "hospital" in p.sources and p.age() > 50]
    for p in at_hospital[3:6]:
        p.active_encounter = "EMER"
    for p in at_hospital[6:9]:
        p.active_encounter = "IMP"
    return people


# ---------------------------------------------------------------------------------------------------------------------
# Source writers


class Source:
    def __init__(self, sid, prefix):
        self.sid = sid
        self.prefix = prefix
        self.resources = {}
        self.counters = {}
        self.patient_ids = {}

    def next_id(self, rtype, short):
        n = self.counters.get(rtype, 0) + 1
        self.counters[rtype] = n
        return f"{self.prefix}{short}{n:05d}"

    def add(self, res, last_updated):
        res.setdefault("meta", {})
        res["meta"]["lastUpdated"] = iso(last_updated if isinstance(last_updated, dt.datetime)
                                         else dt.datetime.combine(last_updated, dt.time(12, 0)))
        self.resources.setdefault(res["resourceType"], []).append(res)
        return res


def patient_resource(p, pid, source_org_ref, rng, include_gp=True):
    street, house, postal, city = p.address
    res = {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": CPR_SYSTEM, "value": p.cpr}],
        "active": True,
        "name": [{"use": "official", "family": p.family, "given": p.given}],
        "telecom": [{"system": "phone", "value": p.phone, "use": "home"}],
        "gender": p.gender,
        "birthDate": p.birth.isoformat(),
        "address": [{
            "extension": [{"url": MUNI_EXT, "valueCodeableConcept": cc(MUNI_SYSTEM, p.muni, MUNICIPALITIES[p.muni])}],
            "use": "home", "type": "physical",
            "line": [f"{street} {house}"], "city": city, "postalCode": postal, "country": "DK",
        }],
        "managingOrganization": source_org_ref,
    }
    if p.gp_listed and include_gp:
        res["generalPractitioner"] = [{"reference": f"Organization/{GP_ORG['id']}" if include_gp == "local" else None,
                                       "identifier": {"system": YDER_SYSTEM, "value": GP_ORG["yder"]},
                                       "display": GP_ORG["name"]}]
        if res["generalPractitioner"][0]["reference"] is None:
            del res["generalPractitioner"][0]["reference"]
    return res


def organization(org, system=SOR_SYSTEM, part_of=None, extra_ids=()):
    res = {"resourceType": "Organization", "id": org["id"], "active": True,
           "identifier": [{"system": system, "value": org["sor"]}] + list(extra_ids), "name": org["name"]}
    if part_of:
        res["partOf"] = org_ref(part_of)
    return res


def practitioner(pid, given, family, title):
    return {"resourceType": "Practitioner", "id": pid, "active": True,
            "name": [{"use": "official", "family": family, "given": given, "prefix": [title]}]}


HOSTILE = [
    "Borger \u001b[2J\u001b[H\u001b[31mRYDDER SKÆRMEN\u001b[0m siger hun har det fint",
    "Bemærk\u0007\u0007 klokke og backspace\u0008\u0008\u0008 og DEL\u007f i teksten",
    "Retning: \u202eredrob\u202c og \u2066isoleret\u2069 og \u200fRLM\u200e samt arabisk mærke \u061c",
    "C1-kontrol \u009b31m og \u0085 NEL og OSC \u001b]0;hacked title\u0007 slut",
    "Tab\tog ny linje\r\nmed CR-LF og nul-lignende \u0001\u0002\u0003 tegn",
]


def free_text(p, rng, base):
    if p.hostile_texts and rng.random() < 0.7:
        return base + " " + rng.choice(HOSTILE)
    if p.long_texts:
        extra = (" Borgeren er i dag mere forvirret end sædvanligt, men genkender plejepersonalet og samarbejder godt. "
                 "Datteren Marie-Louise har ringet og spurgt til medicinen; hun er informeret om ændringen i dosis af "
                 "vanddrivende medicin og om, at egen læge vil kontrollere blodprøver i næste uge. Ødemer på begge "
                 "underben er aftaget lidt, og huden er hel. Vægten noteres i skemaet. Der er talt om mad og drikke, "
                 "og borgeren har fået hjælp til at smøre et stykke rugbrød med æg og karse. ")
        return base + extra * rng.randrange(3, 7)
    return base


def encounter(src, p, pid, cls, dept, start, end, status, reason, episode_no):
    eid = src.next_id("Encounter", "enc")
    cls_display = {"EMER": "emergency", "IMP": "inpatient encounter", "AMB": "ambulatory"}[cls]
    res = {
        "resourceType": "Encounter", "id": eid,
        "identifier": [{"system": "https://demo.sundhedscloud.dk/NamingSystem/region-h-kontakt", "value": eid.upper()}],
        "status": status,
        "class": {"system": ACT_CODE, "code": cls, "display": cls_display},
        "type": [cc(SKS_SYSTEM, {"EMER": "ALCA00", "IMP": "ALCA10", "AMB": "ALCA20"}[cls],
                    {"EMER": "Akut patientkontakt", "IMP": "Indlæggelse", "AMB": "Ambulant besøg"}[cls])],
        "subject": ref("Patient", pid, p.name),
        "episodeOfCare": [{"identifier": {"system": EPISODE_SYSTEM, "value": f"F-{episode_no:07d}"}}],
        "period": {"start": iso(start)},
        "serviceProvider": org_ref(DEPARTMENTS[dept]),
    }
    if reason:
        res["reasonCode"] = [cc(SKS_SYSTEM, reason[0], reason[1])]
    if end:
        res["period"]["end"] = iso(end)
    if cls == "IMP" and end:
        res["hospitalization"] = {"dischargeDisposition": {"text": "Udskrevet til eget hjem"}}
    return src.add(res, end or start)


def lab(src, p, pid, key, when, value, encounter_id=None):
    code, display, unit, refs, _, _, decimals = LABS[key]
    low, high = refs[p.gender]
    value = round(value, decimals) if decimals else int(round(value))
    oid = src.next_id("Observation", "lab")
    interp = "N"
    if high is not None and value > high:
        interp = "H"
    elif low is not None and value < low:
        interp = "L"
    rr = {}
    if low is not None:
        rr["low"] = {"value": low, "unit": unit, "system": UCUM, "code": unit}
    if high is not None:
        rr["high"] = {"value": high, "unit": unit, "system": UCUM, "code": unit}
    res = {
        "resourceType": "Observation", "id": oid, "status": "final",
        "category": [cc(OBS_CAT, "laboratory", "Laboratory")],
        "code": cc(NPU_SYSTEM, code, display),
        "subject": ref("Patient", pid, p.name),
        "effectiveDateTime": iso(when),
        "issued": iso(when + dt.timedelta(hours=2)),
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        "interpretation": [cc(INTERP, interp, {"N": "Normal", "H": "High", "L": "Low"}[interp])],
        "referenceRange": [rr],
        "performer": [org_ref({"id": "org-hgh-lab", "sor": "953741000016098", "name": "Klinisk Biokemisk Afdeling, Herlev"})],
    }
    if encounter_id:
        res["encounter"] = ref("Encounter", encounter_id)
    return src.add(res, when + dt.timedelta(hours=2))


def condition(src, p, pid, code, display, onset, recorder=None, clinical="active", category="problem-list-item",
              note=None):
    cid = src.next_id("Condition", "cond")
    res = {
        "resourceType": "Condition", "id": cid,
        "clinicalStatus": cc(COND_CLIN, clinical, clinical.capitalize()),
        "verificationStatus": cc(COND_VER, "confirmed", "Confirmed"),
        "category": [cc(COND_CAT, category, "Problem List Item" if category == "problem-list-item" else "Encounter Diagnosis")],
        "code": cc(SKS_SYSTEM, code, display, display),
        "subject": ref("Patient", pid, p.name),
        "onsetDateTime": onset.isoformat() if isinstance(onset, dt.date) and not isinstance(onset, dt.datetime) else iso(onset),
        "recordedDate": onset.isoformat() if not isinstance(onset, dt.datetime) else iso(onset),
    }
    if recorder:
        res["recorder"] = recorder
    if note:
        res["note"] = [{"text": note}]
    return src.add(res, onset)


def epikrise(src, p, pid, enc_id, start, end, dept, diag, rng, doctor):
    did = src.next_id("DocumentReference", "doc")
    meds = ", ".join(m[1] for key in p.conditions for m in MEDS.get(key, [])) or "ingen fast medicin"
    text = (f"EPIKRISE\n\n{DEPARTMENTS[dept]['name']}\nPatient: {p.name}, CPR {p.cpr[:6]}-{p.cpr[6:]}\n"
            f"Indlagt: {start.strftime('%d.%m.%Y')}  Udskrevet: {end.strftime('%d.%m.%Y')}\n\n"
            f"Diagnose: {diag[1]} ({diag[0]})\n\n"
            f"Forløb: {p.given[0]} blev indlagt via akutmodtagelsen med {diag[1].lower()}. "
            f"Behandlet efter afdelingens instruks med god effekt. Mobiliseret og selvhjulpen ved udskrivelsen.\n\n"
            f"Medicin ved udskrivelse: {meds}.\n\n"
            f"Opfølgning: Egen læge kontrollerer blodprøver om 1-2 uger. "
            f"{'Hjemmesygeplejen er orienteret. ' if p.home_care else ''}\n\n"
            f"Med venlig hilsen\n{' '.join(doctor[1])} {doctor[2]}, {doctor[3].lower()}")
    text = free_text(p, rng, text)
    res = {
        "resourceType": "DocumentReference", "id": did,
        "status": "current", "docStatus": "final",
        "type": cc(LOINC, "18842-5", "Discharge summary", "Epikrise"),
        "category": [cc("http://loinc.org", "11503-0", "Medical records", "Epikrise")],
        "subject": ref("Patient", pid, p.name),
        "date": iso(end),
        "author": [ref("Practitioner", doctor[0], f"{' '.join(doctor[1])} {doctor[2]}"), org_ref(DEPARTMENTS[dept])],
        "custodian": org_ref(HOSPITAL_ORG),
        "description": f"Epikrise: {diag[1]}",
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "language": "da",
                                    "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
                                    "title": f"Epikrise {end.strftime('%d.%m.%Y')}",
                                    "creation": iso(end)}}],
        "context": {"encounter": [ref("Encounter", enc_id)], "period": {"start": iso(start), "end": iso(end)}},
    }
    return src.add(res, end)


def lab_series(src, p, pid, keys, when, rng, enc_id=None, drift=0.0, state=None):
    for key in keys:
        _, _, _, _, mean, sd, _ = LABS[key]
        base = state.get(key, mean) if state is not None else mean
        # Creatinine rises as heart failure and kidney disease progress; the rest keep to their usual level.
        shift = drift * (mean * 0.05) if key == "KREA" else 0
        v = max(0.5, rng.gauss(base + shift, sd))
        lab(src, p, pid, key, when, v, enc_id)


def gen_hospital(people, rng):
    src = Source("hospital", "h-")
    for org in [HOSPITAL_ORG] + list(DEPARTMENTS.values()):
        src.add(organization(org, part_of=HOSPITAL_ORG if org is not HOSPITAL_ORG else None), dt.date(2015, 1, 5))
    src.add(organization({"id": "org-hgh-lab", "sor": "953741000016098", "name": "Klinisk Biokemisk Afdeling, Herlev"},
                         part_of=HOSPITAL_ORG), dt.date(2015, 1, 5))
    for d in HOSPITAL_DOCTORS:
        src.add(practitioner(*d), dt.date(2015, 1, 5))
    episode = 1000
    for idx, p in enumerate(people):
        if "hospital" not in p.sources:
            continue
        pid = f"{1000 + idx}"
        src.patient_ids[p.cpr] = pid
        src.add(patient_resource(p, pid, org_ref(HOSPITAL_ORG), rng), dt.date(2014, 1, 2))
        doctor = HOSPITAL_DOCTORS[idx % len(HOSPITAL_DOCTORS)]
        state = {}
        for key, onset in sorted(p.conditions.items(), key=lambda kv: kv[1]):
            code, display, dept = CHRONIC[key]
            condition(src, p, pid, code, display, onset, recorder=ref("Practitioner", doctor[0]),
                      note=free_text(p, rng, f"Diagnosticeret i {DEPARTMENTS[dept]['name']}.") if (p.long_texts or p.hostile_texts) else None)
            # Outpatient follow-up twice a year for the last years, with labs.
            start_year = max(onset.year, ANCHOR.year - 4)
            for year in range(start_year, ANCHOR.year + 1):
                for month in (rng.randrange(1, 6), rng.randrange(7, 12)):
                    when = dt.datetime(year, month, rng.randrange(1, 28), rng.randrange(8, 15), rng.choice([0, 15, 30, 45]))
                    if when.date() < onset or when >= ANCHOR - dt.timedelta(days=3):
                        continue
                    episode += 1
                    eid = encounter(src, p, pid, "AMB", dept, when, when + dt.timedelta(minutes=30), "finished",
                                    (code, display), episode)["id"]
                    keys = LABS_FOR.get(key, ["HB", "CRP"])
                    drift = (year - onset.year) * 0.4 if key in ("HF", "CKD") else 0
                    lab_series(src, p, pid, keys, when - dt.timedelta(minutes=40), rng, eid, drift)
        # Acute episodes: akutmodtagelsen, sometimes followed by an admission with an epikrise.
        n_acute = rng.choice([0, 1, 1, 2, 3]) if p.conditions else 1
        if p.cpr == "2509479989":
            acute_list = [("HFWORSE", dt.datetime(2019, 5, 11, 21, 40), 5), ("KOLEX", dt.datetime(2021, 1, 17, 3, 12), 3),
                          ("PNEU", dt.datetime(2024, 2, 8, 14, 55), 4), ("KOLEX", dt.datetime(2025, 12, 2, 10, 5), 0)]
        else:
            acute_list = []
            for _ in range(n_acute):
                when = dt.datetime(rng.randrange(2016, 2027), rng.randrange(1, 13), rng.randrange(1, 28),
                                   rng.randrange(0, 24), rng.randrange(0, 60))
                if when >= ANCHOR - dt.timedelta(days=10):
                    when -= dt.timedelta(days=400)
                acute_list.append((rng.choice(list(ACUTE.keys())), when, rng.choice([0, 2, 3, 5])))
        for akey, when, days in acute_list:
            code, display, dept = ACUTE[akey]
            episode += 1
            emer_end = when + dt.timedelta(hours=rng.randrange(3, 9))
            e = encounter(src, p, pid, "EMER", "akut", when, emer_end, "finished", (code, display), episode)
            condition(src, p, pid, code, display, when, recorder=ref("Practitioner", doctor[0]), clinical="resolved",
                      category="encounter-diagnosis")
            lab_series(src, p, pid, ["HB", "CRP", "KREA", "K", "NA"], when + dt.timedelta(minutes=30), rng, e["id"])
            # CRP is high in an acute episode.
            lab(src, p, pid, "CRP", when + dt.timedelta(hours=1), rng.uniform(40, 180), e["id"])
            if days:
                adm_start = emer_end
                adm_end = adm_start + dt.timedelta(days=days, hours=rng.randrange(0, 6))
                a = encounter(src, p, pid, "IMP", dept if dept != "akut" else "med", adm_start, adm_end, "finished",
                              (code, display), episode)
                for d in range(1, days):
                    lab_series(src, p, pid, ["CRP", "KREA"], adm_start + dt.timedelta(days=d, hours=8 - adm_start.hour % 8), rng, a["id"])
                epikrise(src, p, pid, a["id"], adm_start, adm_end, dept if dept != "akut" else "med", (code, display), rng,
                         doctor)
        # Dialysis: three sessions a week with labs, for years (the large patient).
        if getattr(p, "dialysis", False):
            day = dt.datetime(2023, 11, 6, 7, 30)
            level = {"KREA": 560.0, "K": 4.9, "HB": 6.9}
            while day < ANCHOR - dt.timedelta(days=1):
                for offset in (0, 2, 4):
                    when = day + dt.timedelta(days=offset)
                    if when >= ANCHOR - dt.timedelta(days=1):
                        break
                    episode += 1
                    e = encounter(src, p, pid, "AMB", "nefro", when, when + dt.timedelta(hours=4), "finished",
                                  ("DN186", "Terminal nyresvigt"), episode)
                    lab(src, p, pid, "KREA", when, rng.gauss(level["KREA"], 45), e["id"])
                    lab(src, p, pid, "K", when, rng.gauss(level["K"], 0.35), e["id"])
                    lab(src, p, pid, "HB", when, rng.gauss(level["HB"], 0.3), e["id"])
                day += dt.timedelta(days=7)
        # Right now at the hospital.
        if p.active_encounter:
            akey = rng.choice(list(ACUTE.keys()))
            code, display, dept = ACUTE[akey]
            episode += 1
            when = ANCHOR - dt.timedelta(hours=rng.randrange(1, 5), minutes=rng.randrange(0, 60))
            if p.active_encounter == "EMER":
                e = encounter(src, p, pid, "EMER", "akut", when, None, "in-progress", (code, display), episode)
            else:
                adm = ANCHOR - dt.timedelta(days=rng.randrange(1, 4), hours=3)
                encounter(src, p, pid, "EMER", "akut", adm - dt.timedelta(hours=4), adm, "finished", (code, display), episode)
                e = encounter(src, p, pid, "IMP", dept if dept != "akut" else "med", adm, None, "in-progress",
                              (code, display), episode)
            lab_series(src, p, pid, ["HB", "CRP", "KREA", "K", "NA"], when + dt.timedelta(minutes=20), rng, e["id"])
        for code, display, reaction in p.allergies:
            allergy(src, p, pid, code, display, reaction, dt.date(rng.randrange(2010, 2020), rng.randrange(1, 13), 10))
    return src


def allergy(src, p, pid, code, display, reaction, when):
    aid = src.next_id("AllergyIntolerance", "allergy")
    res = {
        "resourceType": "AllergyIntolerance", "id": aid,
        "clinicalStatus": cc(ALLERGY_CLIN, "active", "Active"),
        "verificationStatus": cc(ALLERGY_VER, "confirmed", "Confirmed"),
        "type": "allergy", "category": ["medication"], "criticality": "high" if code == "J01CE02" else "low",
        "code": cc(ATC_SYSTEM, code, display, display),
        "patient": ref("Patient", pid, p.name),
        "recordedDate": when.isoformat(),
        "reaction": [{"manifestation": [{"text": reaction}], "description": reaction}],
    }
    return src.add(res, when)


def gen_gp(people, rng):
    src = Source("gp", "g-")
    src.add(organization(GP_ORG, extra_ids=[{"system": YDER_SYSTEM, "value": GP_ORG["yder"]}]), dt.date(2010, 3, 1))
    for d in GP_DOCTORS:
        src.add(practitioner(*d), dt.date(2010, 3, 1))
    for idx, p in enumerate(people):
        if "gp" not in p.sources:
            continue
        pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        src.patient_ids[p.cpr] = pid
        src.add(patient_resource(p, pid, org_ref(GP_ORG), rng, include_gp="local"), dt.date(2010, 3, 1))
        doctor = GP_DOCTORS[idx % 2]
        doc_ref = ref("Practitioner", doctor[0], f"{doctor[1][0]} {doctor[2]}")
        for key, onset in sorted(p.conditions.items(), key=lambda kv: kv[1]):
            code, display, _ = CHRONIC[key]
            # Same code and onset as the hospital: the overview shows it once, with both sources.
            condition(src, p, pid, code, display, onset, recorder=doc_ref)
            for atc, name, dose in MEDS.get(key, []):
                mid = src.next_id("MedicationStatement", "med")
                start = onset + dt.timedelta(days=rng.randrange(0, 30))
                src.add({
                    "resourceType": "MedicationStatement", "id": mid, "status": "active",
                    "medicationCodeableConcept": cc(ATC_SYSTEM, atc, name, name),
                    "subject": ref("Patient", pid, p.name),
                    "effectivePeriod": {"start": start.isoformat()},
                    "dateAsserted": start.isoformat(),
                    "informationSource": doc_ref,
                    "reasonCode": [cc(SKS_SYSTEM, code, display)],
                    "dosage": [{"text": dose}],
                }, start)
        if "T2D" in p.conditions and rng.random() < 0.5:
            # A stopped drug: the history shows it ended.
            mid = src.next_id("MedicationStatement", "med")
            start = p.conditions["T2D"]
            src.add({
                "resourceType": "MedicationStatement", "id": mid, "status": "stopped",
                "medicationCodeableConcept": cc(ATC_SYSTEM, "A10BB12", "Glimepirid", "Glimepirid"),
                "subject": ref("Patient", pid, p.name),
                "effectivePeriod": {"start": start.isoformat(), "end": (start + dt.timedelta(days=700)).isoformat()},
                "dateAsserted": start.isoformat(), "informationSource": doc_ref,
                "dosage": [{"text": "1 mg 1 gang dagligt"}],
                "note": [{"text": "Seponeret pga. hypoglykæmi"}],
            }, start + dt.timedelta(days=700))
        for code, display, reaction in p.allergies:
            allergy(src, p, pid, code, display, reaction, dt.date(rng.randrange(2005, 2015), rng.randrange(1, 13), 3))
        # Appointments: chronic care visits in the past, a couple booked in the coming weeks.
        kinds = [("KONS", "Konsultation"), ("TLF", "Telefonkonsultation"), ("KONTROL", "Kontrol")]
        if "T2D" in p.conditions:
            kinds.append(("AARSDM", "Årsstatus diabetes"))
        if "KOL" in p.conditions:
            kinds.append(("AARSKOL", "Årsstatus KOL"))
        n_past = 4 + 3 * len(p.conditions)
        for _ in range(n_past):
            day = ANCHOR.date() - dt.timedelta(days=rng.randrange(10, 365 * 5))
            appointment(src, p, pid, doctor, rng.choice(kinds), day, rng, past=True)
        for k in range(rng.choice([0, 1, 2]) + (2 if p.cpr == "2509479989" else 0)):
            day = ANCHOR.date() + dt.timedelta(days=rng.randrange(3, 60))
            appointment(src, p, pid, doctor, kinds[-1] if k == 0 else rng.choice(kinds), day, rng, past=False)
    return src


def appointment(src, p, pid, doctor, kind, day, rng, past):
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(rng.randrange(8, 15), rng.choice([0, 15, 30, 45])))
    minutes = 10 if kind[0] == "TLF" else (30 if kind[0].startswith("AARS") else 15)
    status = "booked"
    if past:
        status = rng.choices(["fulfilled", "cancelled", "noshow"], [0.88, 0.08, 0.04])[0]
    aid = src.next_id("Appointment", "appt")
    res = {
        "resourceType": "Appointment", "id": aid, "status": status,
        "serviceType": [cc(APPT_TYPE_SYSTEM, kind[0], kind[1], kind[1])],
        "description": kind[1],
        "start": iso(start), "end": iso(start + dt.timedelta(minutes=minutes)), "minutesDuration": minutes,
        "created": iso(start - dt.timedelta(days=rng.randrange(2, 40))),
        "participant": [
            {"actor": ref("Patient", pid, p.name), "required": "required", "status": "accepted"},
            {"actor": ref("Practitioner", doctor[0], f"{doctor[1][0]} {doctor[2]}"), "required": "required",
             "status": "accepted"},
        ],
    }
    if status == "cancelled":
        res["cancelationReason"] = {"text": "Aflyst af patienten"}
    if p.hostile_texts or p.long_texts:
        res["comment"] = free_text(p, rng, "Husk medicinliste.")
    return src.add(res, start - dt.timedelta(days=1))


NOTES = [
    "Besøg: Medicin dosisdispenseret for 14 dage. Borger i godt humør.",
    "Besøg: Vægt målt, let stigende. Ødem på anklerne. Borger opfordret til at holde benene højt.",
    "Besøg: Blodtryk målt. Borger klager over træthed. Observeres ved næste besøg.",
    "Besøg: Hjælp til bad og sårpleje. Huden er hel.",
    "Besøg: Borger mere forpustet end sædvanligt ved gang til badeværelset. Egen læge orienteret.",
    "Besøg: Kontrol af inhalationsteknik. God teknik.",
    "Telefonopkald fra datter, der spørger til medicinændring. Henvist til egen læge.",
    "Besøg: Blodsukker målt 9,4 mmol/l. Borger har spist morgenmad.",
]


def gen_municipality(people, rng):
    src = Source("municipality", "m-")
    src.add(organization(MUNI_ORG, extra_ids=[]), dt.date(2012, 1, 9))
    for d in NURSES:
        src.add(practitioner(*d), dt.date(2012, 1, 9))
    for idx, p in enumerate(people):
        if "municipality" not in p.sources:
            continue
        pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        src.patient_ids[p.cpr] = pid
        src.add(patient_resource(p, pid, org_ref(MUNI_ORG), rng), dt.date(2012, 1, 9))
        since = ANCHOR.date() - dt.timedelta(days=rng.randrange(200, 900))
        if p.cpr == "2509479989":
            since = dt.date(2024, 3, 4)
        services = [("HJSYG", "Hjemmesygepleje", "Medicindosering, vægt- og blodtrykskontrol, observation af åndenød og ødemer")]
        if rng.random() < 0.7 or p.cpr == "2509479989":
            services.append(("PRAKT", "Praktisk hjælp", "Rengøring hver 14. dag og hjælp til indkøb"))
        if p.age() > 85 or "DEM" in p.conditions:
            services.append(("PERS", "Personlig pleje", "Hjælp til bad to gange ugentligt samt af- og påklædning"))
        for code, title, desc in services:
            cp = src.next_id("CarePlan", "plan")
            start = since - dt.timedelta(days=rng.randrange(0, 120)) if code == "PRAKT" else since
            src.add({
                "resourceType": "CarePlan", "id": cp, "status": "active", "intent": "plan",
                "category": [cc(SERVICE_SYSTEM, code, title, title)],
                "title": title, "description": desc,
                "subject": ref("Patient", pid, p.name),
                "period": {"start": start.isoformat()},
                "created": start.isoformat(),
                "author": org_ref(MUNI_ORG),
                "activity": [{"detail": {"kind": "ServiceRequest", "status": "in-progress", "description": desc}}],
            }, start)
        # Earlier, ended service: the history shows it.
        if rng.random() < 0.4:
            cp = src.next_id("CarePlan", "plan")
            start = since - dt.timedelta(days=500)
            src.add({
                "resourceType": "CarePlan", "id": cp, "status": "completed", "intent": "plan",
                "category": [cc(SERVICE_SYSTEM, "TRAEN", "Genoptræning", "Genoptræning")],
                "title": "Genoptræning efter udskrivelse", "subject": ref("Patient", pid, p.name),
                "period": {"start": start.isoformat(), "end": (start + dt.timedelta(days=84)).isoformat()},
                "author": org_ref(MUNI_ORG),
            }, start + dt.timedelta(days=84))
        # Visits: notes, weight and blood pressure.
        day = since
        weight = base_weight = rng.uniform(58, 96)
        step = 7 if p.cpr == "2509479989" else rng.choice([7, 14])
        while day < ANCHOR.date() - dt.timedelta(days=1):
            nurse = NURSES[rng.randrange(len(NURSES))]
            when = dt.datetime.combine(day, dt.time(rng.randrange(8, 14), rng.choice([0, 10, 20, 30, 40, 50])))
            weight += (base_weight - weight) * 0.1 + rng.gauss(0, 0.5)
            note = free_text(p, rng, rng.choice(NOTES))
            comm(src, p, pid, nurse, when, note, "nursing")
            vital(src, p, pid, nurse, when, "29463-7", "Body weight", round(weight, 1), "kg")
            if rng.random() < 0.5:
                bp(src, p, pid, nurse, when, rng.randrange(115, 165), rng.randrange(60, 95))
            if "KOL" in p.conditions and rng.random() < 0.5:
                vital(src, p, pid, nurse, when, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry",
                      rng.randrange(88, 97), "%")
            day += dt.timedelta(days=step)
        # A care communication to the GP about medication.
        comm(src, p, pid, NURSES[0], dt.datetime.combine(ANCHOR.date() - dt.timedelta(days=rng.randrange(5, 60)), dt.time(11, 5)),
             free_text(p, rng, "Til egen læge: Borger har tiltagende ødemer og vægtøgning på 2 kg på en uge. Ønskes vurdering af diuretika."),
             "medicine", recipient={"identifier": {"system": YDER_SYSTEM, "value": GP_ORG["yder"]}, "display": GP_ORG["name"]})
    return src


def comm(src, p, pid, nurse, when, text, category, recipient=None):
    cid = src.next_id("Communication", "note")
    res = {
        "resourceType": "Communication", "id": cid, "status": "completed",
        "category": [cc(CARECOMM_CAT, category, {"nursing": "Sygepleje", "medicine": "Medicin"}[category])],
        "subject": ref("Patient", pid, p.name),
        "sent": iso(when),
        "sender": ref("Practitioner", nurse[0], f"{nurse[1][0]} {nurse[2]}"),
        "payload": [{"contentString": text}],
    }
    if recipient:
        res["recipient"] = [recipient]
    return src.add(res, when)


def vital(src, p, pid, nurse, when, loinc, display, value, unit):
    oid = src.next_id("Observation", "obs")
    return src.add({
        "resourceType": "Observation", "id": oid, "status": "final",
        "category": [cc(OBS_CAT, "vital-signs", "Vital Signs")],
        "code": cc(LOINC, loinc, display, {"29463-7": "Vægt", "59408-5": "Iltmætning"}.get(loinc, display)),
        "subject": ref("Patient", pid, p.name),
        "effectiveDateTime": iso(when),
        "performer": [ref("Practitioner", nurse[0])],
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }, when)


def bp(src, p, pid, nurse, when, sys_, dia):
    oid = src.next_id("Observation", "obs")
    return src.add({
        "resourceType": "Observation", "id": oid, "status": "final",
        "category": [cc(OBS_CAT, "vital-signs", "Vital Signs")],
        "code": cc(LOINC, "85354-9", "Blood pressure panel with all children optional", "Blodtryk"),
        "subject": ref("Patient", pid, p.name),
        "effectiveDateTime": iso(when),
        "performer": [ref("Practitioner", nurse[0])],
        "component": [
            {"code": cc(LOINC, "8480-6", "Systolic blood pressure"),
             "valueQuantity": {"value": sys_, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"}},
            {"code": cc(LOINC, "8462-4", "Diastolic blood pressure"),
             "valueQuantity": {"value": dia, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"}},
        ],
    }, when)


PREFS_ORG = {"sor": "612301000016999", "name": "Borgerens præferencer (Min Spærring)"}
SECTOR_SYSTEM = "https://sundhedscloud.dk/fhir/CodeSystem/sector"
DATA_SECTOR_EXT = "https://sundhedscloud.dk/fhir/StructureDefinition/consent-data-sector"


def gen_preferences(people):
    """The citizens' preferences source ([5/5]): Consent resources with their blocks (negativt samtykke). Holds no
    names: a Patient here is only an identifier. Bruno Test Elmer does not want his GP data shown to hospital
    clinicians."""
    src = Source("preferences", "pref-")
    for p in people:
        if p.cpr != "2509479989":
            continue
        pid = "pref-patient-" + p.cpr
        src.patient_ids[p.cpr] = pid
        src.add({"resourceType": "Patient", "id": pid, "identifier": [{"system": CPR_SYSTEM, "value": p.cpr}],
                 "active": True}, ANCHOR - dt.timedelta(days=200))
        src.add({
            "resourceType": "Consent", "id": "consent-" + p.cpr + "-gp",
            "status": "active",
            "scope": cc("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent"),
            "category": [cc("http://loinc.org", "59284-0", "Patient Consent")],
            "patient": {"reference": "Patient/" + pid},
            "dateTime": iso(ANCHOR - dt.timedelta(days=200)),
            "policyRule": cc("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTOUT", "opt out"),
            "provision": {
                "type": "deny",
                "extension": [{"url": DATA_SECTOR_EXT, "valueCode": "gp"}],
                "actor": [{
                    "role": cc("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"),
                    "reference": {"identifier": {"system": SECTOR_SYSTEM, "value": "hospital"},
                                  "display": "Sygehusets klinikere"},
                }],
            },
        }, ANCHOR - dt.timedelta(days=200))
    return src


NSP_ORG = {"id": "org-nsp", "sor": "327381000016001", "name": "Den Nationale Serviceplatform (FMK, DDV)"}
PHARMACIES = ["Herlev Apotek", "Apoteket Herlev Torv", "Gladsaxe Apotek"]
# Medication started at the hospital and kept on the medication card, not on the GP's own list (FMK's reason to be).
HOSPITAL_MEDS = {
    "CKD": [("B03XA01", "Epoetin alfa", "4000 IE 3 gange ugentligt ved dialyse", "nefro"),
            ("V03AE02", "Sevelamer", "800 mg 3 gange dagligt til måltiderne", "nefro")],
    "HF": [("C10AA05", "Atorvastatin", "40 mg 1 gang dagligt", "kardio")],
}
# DDV vaccine codes are the vaccines' ATC codes here (the register's own product codes are not public).
VACCINES = {
    "influenza": ("J07BB02", "Influenza, inaktiveret, split virus eller overfladeantigen", "Influenzavaccine"),
    "covid": ("J07BN01", "Covid-19, RNA-baseret vaccine", "Covid-19-vaccine"),
    "pneumo": ("J07AL02", "Pneumokok, oprenset polysakkarid-antigen konjugeret", "Pneumokokvaccine"),
    "dite": ("J07AM51", "Tetanustoxoid, kombinationer med difteritoxoid", "Difteri-tetanus"),
}


def gen_nsp(people, rng):
    """The national services (NSP): the shared medication card (FMK: MedicationRequest as ordinations with their
    MedicationDispense effectuations) and the vaccination register (DDV: Immunization). Every citizen is on it. The
    card holds the GP's chronic medication (the same ATC codes and doses as the GP's own list) and what the hospital
    started, so a block on GP data still leaves the medication visible."""
    src = Source("nsp", "n-")
    src.add(organization(NSP_ORG), dt.date(2013, 1, 1))
    for idx, p in enumerate(people):
        pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        src.patient_ids[p.cpr] = pid
        src.add({"resourceType": "Patient", "id": pid, "identifier": [{"system": CPR_SYSTEM, "value": p.cpr}],
                 "active": True, "name": [{"use": "official", "family": p.family, "given": p.given}],
                 "gender": p.gender, "birthDate": p.birth.isoformat()}, dt.date(2013, 1, 1))
        subject = ref("Patient", pid, p.name)
        doctor = GP_DOCTORS[idx % 2]
        gp_requester = {"display": f"{doctor[1][0]} {doctor[2]}, {GP_ORG['name']}",
                        "identifier": {"system": YDER_SYSTEM, "value": GP_ORG["yder"]}}
        orders = []
        for key, onset in sorted(p.conditions.items(), key=lambda kv: kv[1]):
            code, display, _ = CHRONIC[key]
            for atc, name, dose in MEDS.get(key, []):
                orders.append((atc, name, dose, gp_requester, onset, code, display))
            for atc, name, dose, dept in HOSPITAL_MEDS.get(key, []):
                if key == "CKD" and not getattr(p, "dialysis", False):
                    continue
                department = DEPARTMENTS[dept]
                requester = {"display": department["name"], "identifier": {"system": SOR_SYSTEM, "value": department["sor"]}}
                orders.append((atc, name, dose, requester, onset + dt.timedelta(days=60), code, display))
        seen = set()
        for atc, name, dose, requester, onset, code, display in orders:
            if atc in seen:  # one ordination per drug, as on the card
                continue
            seen.add(atc)
            start = onset + dt.timedelta(days=rng.randrange(0, 30))
            mid = src.next_id("MedicationRequest", "ord")
            src.add({
                "resourceType": "MedicationRequest", "id": mid, "status": "active", "intent": "order",
                "identifier": [{"system": "https://fmk-online.dk/ordination", "value": f"{p.cpr[-4:]}-{mid}"}],
                "medicationCodeableConcept": cc(ATC_SYSTEM, atc, name, name),
                "subject": subject, "authoredOn": start.isoformat(), "requester": requester,
                "reasonCode": [cc(SKS_SYSTEM, code, display)],
                "dosageInstruction": [{"text": dose}],
                "dispenseRequest": {"validityPeriod": {"start": start.isoformat()}},
            }, start)
            last = max(start, (ANCHOR - dt.timedelta(days=rng.randrange(20, 80))).date())
            for k in range(3):
                handed = last - dt.timedelta(days=90 * k)
                if handed < start:
                    break
                did = src.next_id("MedicationDispense", "eff")
                src.add({
                    "resourceType": "MedicationDispense", "id": did, "status": "completed",
                    "medicationCodeableConcept": cc(ATC_SYSTEM, atc, name, name),
                    "subject": subject, "authorizingPrescription": [ref("MedicationRequest", mid)],
                    "performer": [{"actor": {"display": PHARMACIES[(idx + k) % len(PHARMACIES)]}}],
                    "quantity": {"value": 100, "unit": "stk"},
                    "whenHandedOver": iso(dt.datetime.combine(handed, dt.time(10 + k, 15))),
                    "dosageInstruction": [{"text": dose}],
                }, handed)
        if "T2D" in p.conditions and rng.random() < 0.5:
            # An ended ordination: the card keeps it, marked stopped.
            start = p.conditions["T2D"]
            mid = src.next_id("MedicationRequest", "ord")
            src.add({
                "resourceType": "MedicationRequest", "id": mid, "status": "stopped", "intent": "order",
                "medicationCodeableConcept": cc(ATC_SYSTEM, "A10BB12", "Glimepirid", "Glimepirid"),
                "subject": subject, "authoredOn": start.isoformat(), "requester": gp_requester,
                "dosageInstruction": [{"text": "1 mg 1 gang dagligt"}],
                "dispenseRequest": {"validityPeriod": {"start": start.isoformat(),
                                                       "end": (start + dt.timedelta(days=700)).isoformat()}},
                "note": [{"text": "Seponeret pga. hypoglykæmi"}],
            }, start + dt.timedelta(days=700))
        # Vaccinations (DDV): the seasonal ones from 65, pneumococcal once from 65, a diphtheria-tetanus booster.
        shots = []
        if p.age() >= 65:
            for season in range(3):
                year = ANCHOR.year - season
                autumn = dt.date(year, 10, 1) + dt.timedelta(days=rng.randrange(0, 40))
                if autumn < ANCHOR.date():
                    shots.append(("influenza", autumn))
                    shots.append(("covid", autumn + dt.timedelta(days=rng.choice([0, 0, 7]))))
            shots.append(("pneumo", dt.date(p.birth.year + 65, 1, 1) + dt.timedelta(days=rng.randrange(30, 700))))
        booster = dt.date(ANCHOR.year - rng.randrange(1, 9), rng.randrange(1, 13), rng.randrange(1, 28))
        shots.append(("dite", booster))
        for kind, day in sorted(shots, key=lambda s: s[1]):
            if day >= ANCHOR.date():
                continue
            atc, name, short = VACCINES[kind]
            iid = src.next_id("Immunization", "vac")
            src.add({
                "resourceType": "Immunization", "id": iid, "status": "completed",
                "vaccineCode": cc(ATC_SYSTEM, atc, name, short),
                "patient": subject, "occurrenceDateTime": day.isoformat(), "recorded": day.isoformat(),
                "primarySource": True,
                "lotNumber": f"{kind[:2].upper()}{rng.randrange(100000, 999999)}",
                "performer": [{"actor": {"display": GP_ORG["name"] if p.gp_listed else "Vaccinationsklinikken, Herlev"}}],
                "route": cc("http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IM",
                            "Injection, intramuscular", "i.m."),
            }, day)
    return src


def write(sources, people):
    for src in sources:
        d = os.path.join(OUT, src.sid)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        for rtype, items in sorted(src.resources.items()):
            with open(os.path.join(d, f"{rtype}.ndjson"), "w", encoding="utf-8", newline="\n") as f:
                for res in items:
                    f.write(json.dumps(res, ensure_ascii=False, separators=(",", ":")) + "\n")
    manifest = {
        "description": "Synthetic demo data for Overblik / SundhedsCloud. Every person is fictitious; CPR numbers "
                       "follow MedCom's test-CPR rules (serial 99xx, failing modulus 11, 'Test' among given names). "
                       "SOR codes and ydernumre are fictitious demo values.",
        "generator": "scripts/generate_demo_data.py",
        "anchorDate": ANCHOR.date().isoformat(),
        "sources": [
            {"id": "hospital", "name": "Herlev og Gentofte Hospital (EPJ)", "sector": "hospital", "port": 8101,
             "organization": {"system": SOR_SYSTEM, "value": HOSPITAL_ORG["sor"], "name": HOSPITAL_ORG["name"]}},
            {"id": "gp", "name": "Lægehuset Herlev Bygade (lægesystem)", "sector": "gp", "port": 8102,
             "organization": {"system": YDER_SYSTEM, "value": GP_ORG["yder"], "name": GP_ORG["name"]}},
            {"id": "municipality", "name": "Herlev Kommune (EOJ)", "sector": "municipality", "port": 8103,
             "organization": {"system": SOR_SYSTEM, "value": MUNI_ORG["sor"], "name": MUNI_ORG["name"]}},
            {"id": "preferences", "name": "Borgerens præferencer (Min Spærring)", "sector": "other", "port": 8104,
             "kind": "preferences",
             "organization": {"system": SOR_SYSTEM, "value": PREFS_ORG["sor"], "name": PREFS_ORG["name"]}},
            {"id": "nsp", "name": "Den Nationale Serviceplatform (FMK, DDV)", "sector": "national", "port": 8105,
             "organization": {"system": SOR_SYSTEM, "value": NSP_ORG["sor"], "name": NSP_ORG["name"]}},
        ],
        "patients": [
            {"cpr": p.cpr, "name": p.name, "gender": p.gender, "birthDate": p.birth.isoformat(),
             "municipality": p.muni,
             "sources": {s.sid: s.patient_ids[p.cpr] for s in sources if p.cpr in s.patient_ids and s.sid != "preferences"},
             "resources": {s.sid: count_for(s, s.patient_ids.get(p.cpr)) for s in sources
                           if p.cpr in s.patient_ids and s.sid != "preferences"},
             "tags": p.tags + (["at-hospital-" + p.active_encounter.lower()] if p.active_encounter else [])}
            for p in people
        ],
    }
    with open(os.path.join(OUT, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")


def write_users(people):
    """The demo users: who they are, where they work, and what they subscribe to ([4/5]); the access rules of [5/5]
    use the same facts (the GP's patient list, the nurse's municipality, the ED doctor's department)."""
    gp_list = sorted(p.cpr for p in people if p.gp_listed and "gp" in p.sources)
    akut = DEPARTMENTS["akut"]
    users = [
        {"id": "akutlaege", "name": "Mette Kjær", "title": "Overlæge", "role": "ed-doctor",
         "organization": {"system": SOR_SYSTEM, "value": akut["sor"], "name": akut["name"]},
         "subscription": {"topic": "akut-ankomst", "filters": [f"organization={akut['sor']}"]}},
        {"id": "egen-laege", "name": "Hanne Østergaard", "title": "Praktiserende læge", "role": "gp",
         "organization": {"system": YDER_SYSTEM, "value": GP_ORG["yder"], "name": GP_ORG["name"]},
         "patients": gp_list,
         "subscription": {"topic": "hospitalsnotifikation", "filters": ["patient=" + ",".join(gp_list)]}},
        {"id": "hjemmesygeplejerske", "name": "Lone Bækgaard", "title": "Sygeplejerske", "role": "home-nurse",
         "organization": {"system": SOR_SYSTEM, "value": MUNI_ORG["sor"], "name": MUNI_ORG["name"]},
         "municipality": "0163",
         "subscription": {"topic": "hospitalsnotifikation", "filters": ["municipality=0163"]}},
        {"id": "laege-uden-relation", "name": "Rasmus Dahl", "title": "Overlæge", "role": "doctor",
         "organization": {"system": SOR_SYSTEM, "value": DEPARTMENTS["orto"]["sor"], "name": DEPARTMENTS["orto"]["name"]},
         "subscription": {"topic": "hospitalsnotifikation", "filters": [f"organization={DEPARTMENTS['orto']['sor']}"]}},
        {"id": "borger-bruno", "name": "Bruno Test Elmer", "role": "citizen", "cpr": "2509479989",
         "subscription": {"topic": "hospitalsnotifikation", "filters": ["patient=2509479989"]}},
        {"id": "borger-nancy", "name": "Nancy Ann Test Berggren", "role": "citizen", "cpr": "2512489996",
         "subscription": {"topic": "hospitalsnotifikation", "filters": ["patient=2512489996"]}},
        {"id": "logopfoelgning", "name": "Susanne Friis", "title": "Logopfølgning", "role": "log-auditor",
         "organization": {"system": SOR_SYSTEM, "value": HOSPITAL_ORG["sor"], "name": "Region Hovedstaden, Center for Sundhed"}},
    ]
    with open(os.path.join(OUT, "users.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump({"description": "Demo users (fictitious). Used by overblik --demo --user ID.", "users": users},
                  f, ensure_ascii=False, indent=2)
        f.write("\n")


def count_for(src, pid):
    if pid is None:
        return 0
    n = 0
    needle = f"Patient/{pid}"
    for rtype, items in src.resources.items():
        for r in items:
            if rtype == "Patient":
                n += r["id"] == pid
            else:
                subj = r.get("subject") or r.get("patient") or {}
                if subj.get("reference") == needle:
                    n += 1
                elif rtype == "Appointment" and any(pp["actor"].get("reference") == needle for pp in r["participant"]):
                    n += 1
    return n


def main():
    rng = random.Random(SEED)
    people = build_people(rng)
    sources = [gen_hospital(people, random.Random(SEED + 1)), gen_gp(people, random.Random(SEED + 2)),
               gen_municipality(people, random.Random(SEED + 3)), gen_preferences(people),
               gen_nsp(people, random.Random(SEED + 5))]
    write(sources, people)
    write_users(people)
    total = sum(len(v) for s in sources for v in s.resources.values())
    print(f"{len(people)} patients, {total} resources written to demo-data/")


if __name__ == "__main__":
    main()
