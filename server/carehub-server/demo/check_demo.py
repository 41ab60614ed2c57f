#!/usr/bin/env python3
"""Checks the promises demo.json makes (stdlib only): `python3 check_demo.py [path]`.

The server deserialises each care plan with serde `deny_unknown_fields` (src/care_plan.rs), so key
sets here must match the Rust structs exactly. The other rules describe the variety the demo and
the tests rely on (see docs/clinical-rules.md §2, §3, §7 and §9).
"""
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

# Fields of each struct in care_plan.rs. Every field is written out explicitly, except Reviewed.due.
KEYS = {
    "summary": {"emergency_plan", "baseline", "clinical", "people", "this_is_me"},
    "emergency_plan": {"cpr", "clinical_focus", "for_hospital_admission", "preferred_place_of_care",
                       "preferred_place_of_death", "adrt", "adrt_details", "lpa_health_welfare",
                       "end_of_life", "anticipatory_medicines", "reviewed"},
    "baseline": {"usual_news2", "usual_vitals", "spo2_scale", "spo2_target", "cognition", "dementia",
                 "delirium_history", "communication", "mobility", "continence", "eating_drinking",
                 "skin", "reviewed"},
    "usual_vitals": {"respiration_rate", "spo2", "systolic_bp", "pulse", "temperature_c"},
    "clinical": {"allergies", "no_known_allergies", "diagnoses", "medicines", "last_medication_review",
                 "devices", "reviewed"},
    "allergy": {"substance", "reaction"},
    "medicine": {"name", "dose", "high_risk", "recently_changed"},
    "people": {"gp_practice", "gp_phone", "next_of_kin", "reviewed"},
    "this_is_me": {"what_matters", "distresses", "calms", "reviewed"},
    "contact": {"name", "relationship", "phone", "when_to_call"},
}
BLOCKS = ["emergency_plan", "baseline", "clinical", "people", "this_is_me"]
CPR = {"recommended", "not_recommended", "unknown"}
FOCUS = {"sustain_life", "balanced", "symptom_control", "unknown"}
HIGH_RISK = {"anticoagulant", "insulin", "opioid", "steroid"}
# A medicine whose name contains one of these words must carry the matching flag.
RISK_WORDS = {
    "anticoagulant": ["apixaban", "edoxaban", "rivaroxaban", "dabigatran", "warfarin"],
    "insulin": ["insulin", "humulin"],
    "opioid": ["morphine", "oxycodone", "buprenorphine", "codeine", "alfentanil", "fentanyl"],
    "steroid": ["prednisolone", "dexamethasone", "hydrocortisone"],
}
STALE_AFTER_DAYS = 183
HOME_KEYS = ["oakfield", "riverside", "heather_view"]


def valid_nhs(s):
    """docs/clinical-rules.md §9: modulus 11 with weights 10..2, and not one repeated digit."""
    d = s.replace(" ", "")
    if not re.fullmatch(r"\d{10}", d) or len(set(d)) == 1:
        return False
    check = 11 - sum(int(c) * w for c, w in zip(d, range(10, 1, -1))) % 11
    return check != 10 and (0 if check == 11 else check) == int(d[9])


def news2_on_air(v, scale):
    """NEWS2 when alert and on air (docs/clinical-rules.md §2)."""
    def band(x, limits):  # limits: [(upper bound, points)...], last is the fallback
        return next((p for bound, p in limits if bound is None or x <= bound), None)
    rr = band(v["respiration_rate"], [(8, 3), (11, 1), (20, 0), (24, 2), (None, 3)])
    if scale == 1:
        sp = band(v["spo2"], [(91, 3), (93, 2), (95, 1), (None, 0)])
    else:
        sp = band(v["spo2"], [(83, 3), (85, 2), (87, 1), (None, 0)])
    bp = band(v["systolic_bp"], [(90, 3), (100, 2), (110, 1), (219, 0), (None, 3)])
    hr = band(v["pulse"], [(40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (None, 3)])
    t = float(v["temperature_c"])
    temp = band(t, [(35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (None, 2)])
    return rr + sp + bp + hr + temp


def day(s):
    return date.fromisoformat(s)


def stale(reviewed, today):
    due = reviewed.get("due")
    return (due is not None and day(due) < today) or (today - day(reviewed["on"])).days > STALE_AFTER_DAYS


def check_contact(c, where):
    assert set(c) == KEYS["contact"], where
    assert c["name"] and c["relationship"], where
    assert re.fullmatch(r"07700 900\d{3}|01632 960\d{3}", c["phone"]), f"{where}: drama-range phone"


def check_plan(p, today, where):
    """One CarePlanSummary: exact keys, enum values, dates, internal consistency."""
    assert set(p) == KEYS["summary"], where
    for b in BLOCKS:
        assert set(p[b]) == KEYS[b], f"{where}.{b}: keys {set(p[b]) ^ KEYS[b]}"
        r = p[b]["reviewed"]
        assert set(r) <= {"on", "by", "due"} and r["by"], f"{where}.{b}.reviewed"
        assert day(r["on"]) <= today, f"{where}.{b}: reviewed after reference_date"
        assert "due" not in r or day(r["due"]) > day(r["on"]), f"{where}.{b}: due before review"
    ep, bl, cl = p["emergency_plan"], p["baseline"], p["clinical"]
    assert ep["cpr"] in CPR and ep["clinical_focus"] in FOCUS, where
    assert ep["for_hospital_admission"] in (True, False, None), where
    assert ep["adrt"] == bool(ep["adrt_details"]), f"{where}: ADRT needs details, and only then"
    if ep["lpa_health_welfare"] is not None:
        check_contact(ep["lpa_health_welfare"], where + ".lpa")
    if ep["end_of_life"]:
        assert ep["clinical_focus"] == "symptom_control" and ep["anticipatory_medicines"], where
        assert ep["cpr"] == "not_recommended", where
    assert set(bl["usual_vitals"]) == KEYS["usual_vitals"], where
    assert bl["spo2_scale"] in (1, 2), where
    assert bl["usual_news2"] is None or 0 <= bl["usual_news2"] <= 20, where
    v = bl["usual_vitals"]
    if v["temperature_c"] is not None:
        assert re.fullmatch(r"\d{2}\.\d", v["temperature_c"]), where
        assert 25.0 <= float(v["temperature_c"]) <= 45.0, where
    if bl["spo2_scale"] == 2:
        assert bl["spo2_target"] == "88-92%", where
        assert v["spo2"] is None or 88 <= v["spo2"] <= 91, where
    if None not in v.values() and bl["usual_news2"] is not None:
        score = news2_on_air(v, bl["spo2_scale"])
        on_o2 = any("oxygen" in d.lower() for d in cl["devices"])
        assert bl["usual_news2"] in ({score, score + 2} if on_o2 else {score}), \
            f"{where}: usual NEWS2 {bl['usual_news2']} does not match usual vitals ({score} on air)"
    assert bl["cognition"] or not bl["dementia"], f"{where}: dementia needs a usual cognition"
    assert cl["no_known_allergies"] == (not cl["allergies"]), f"{where}: allergies vs NKA"
    for a in cl["allergies"]:
        assert set(a) == KEYS["allergy"] and a["substance"], where
    assert cl["diagnoses"], where
    for m in cl["medicines"]:
        assert set(m) == KEYS["medicine"] and m["name"] and m["dose"], where
        assert set(m["high_risk"]) <= HIGH_RISK, f"{where}: {m['name']}"
        for risk, words in RISK_WORDS.items():
            if any(w in m["name"].lower() for w in words):
                assert risk in m["high_risk"], f"{where}: {m['name']} must be flagged {risk}"
    if cl["last_medication_review"] is not None:
        assert day(cl["last_medication_review"]) <= today, where
    assert re.fullmatch(r"01632 960\d{3}", p["people"]["gp_phone"]), where
    for c in p["people"]["next_of_kin"]:
        check_contact(c, where + ".next_of_kin")
    # Dates in free text would not move when the server shifts dates at seeding.
    free_text = json.dumps([ep, bl, cl, p["people"], p["this_is_me"]])
    free_text = re.sub(r'"(on|due|last_medication_review)": "\d{4}-\d\d-\d\d"', "", free_text)
    assert not re.search(r"\b20[2-9]\d\b", free_text), f"{where}: recent year in free text"


def main(path):
    demo = json.loads(Path(path).read_text(encoding="utf-8"))
    today = day(demo["reference_date"])
    assert [h["key"] for h in demo["care_homes"]] == HOME_KEYS
    for h in demo["care_homes"]:
        assert h["name"] and h["address"] and re.fullmatch(r"01632 960\d{3}", h["phone"]), h["key"]

    residents = demo["residents"]
    assert len(residents) == 30
    assert Counter(r["home"] for r in residents) == {k: 10 for k in HOME_KEYS}
    nhs = [r["nhs_number"] for r in residents]
    assert len(set(nhs)) == 30, "NHS numbers must be distinct"
    for r in residents:
        who = f"{r['given_name']} {r['family_name']}"
        n = r["nhs_number"]
        assert re.fullmatch(r"999 \d{3} \d{4}", n) and valid_nhs(n), f"{who}: NHS number {n}"
        assert r["given_name"] and r["family_name"] and r["preferred_name"] and r["room"], who
        born = day(r["date_of_birth"])
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        assert 1925 <= born.year <= 1955 and 70 <= age <= 100, f"{who}: age {age}"
        if r["care_plan"] is not None:
            check_plan(r["care_plan"], today, who)
        versions = r.get("previous_versions", [])
        assert r["care_plan"] is not None or not versions, who
        last = date.min
        for i, old in enumerate(versions):
            check_plan(old, today, f"{who} (previous {i + 1})")
            latest = max(day(old[b]["reviewed"]["on"]) for b in BLOCKS)
            assert latest >= last and old != r["care_plan"], f"{who}: versions oldest first, and differ"
            last = latest
        if versions:
            assert last <= max(day(r["care_plan"][b]["reviewed"]["on"]) for b in BLOCKS), who
    for home in HOME_KEYS:
        rooms = [r["room"] for r in residents if r["home"] == home]
        assert len(set(rooms)) == len(rooms), f"{home}: rooms repeat"

    # The variety the demo promises.
    def with_plan(home=None):
        return [r for r in residents if r["care_plan"] and home in (None, r["home"])]

    def count(pred, home=None):
        return sum(1 for r in with_plan(home) if pred(r["care_plan"]))

    scale2 = lambda p: p["baseline"]["spo2_scale"] == 2
    cpr_no = lambda p: p["emergency_plan"]["cpr"] == "not_recommended"
    cpr_unknown = lambda p: p["emergency_plan"]["cpr"] == "unknown"
    dementia = lambda p: p["baseline"]["dementia"]
    eol = lambda p: p["emergency_plan"]["end_of_life"]
    driver = lambda p: any("syringe driver" in d.lower() for d in p["clinical"]["devices"])
    adrt = lambda p: p["emergency_plan"]["adrt"]
    lpa = lambda p: p["emergency_plan"]["lpa_health_welfare"] is not None
    overdue = lambda p: any(stale(p[b]["reviewed"], today) for b in BLOCKS)
    news2 = Counter(r["care_plan"]["baseline"]["usual_news2"] for r in with_plan())
    counts = {
        "SpO2 scale 2": (count(scale2), 4), "CPR not recommended": (count(cpr_no), 8),
        "CPR unknown": (count(cpr_unknown), 2), "dementia": (count(dementia), 10),
        "end of life": (count(eol), 3), "syringe driver": (count(driver), 1), "ADRT": (count(adrt), 2),
        "LPA health and welfare": (count(lpa), 5), "review overdue": (count(overdue), 2),
        "previous versions": (sum(1 for r in residents if r.get("previous_versions")), 3),
    }
    for name, (n, at_least) in counts.items():
        assert n >= at_least, f"{name}: {n} < {at_least}"
    assert sum(1 for r in residents if r["care_plan"] is None) == 1, "exactly one resident without a plan"
    assert {0, 1, 2, 3, None} <= set(news2), f"usual NEWS2 values {news2}"
    oak = "oakfield"
    for name, pred in [("scale 2", scale2), ("CPR not recommended", cpr_no), ("dementia", dementia),
                       ("end of life", eol), ("overdue review", overdue)]:
        assert count(pred, oak) >= 1, f"Oakfield needs a resident with {name}"
    assert any(r["care_plan"] is None for r in residents if r["home"] == oak), "Oakfield: the new admission"

    for name, (n, _) in counts.items():
        print(f"{name:24} {n}")
    print(f"{'usual NEWS2':24} " + ", ".join(f"{k}: {v}" for k, v in sorted(news2.items(), key=str)))
    print("demo.json OK")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("demo.json"))
