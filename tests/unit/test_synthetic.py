"""The synthetic generator writes a complete, contract-conforming, linked, repeatable nation.

Small scale (0.02) so the suite stays quick; the calibration at national scale is checked in
tests/integration/test_generate_calibration.py. The must-rule checks are driven by the
contract's own rule list, so a new must rule without a check here fails loudly.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pipelines.read import read_extract
from scorecard import reference
from scorecard.contract import KINDS, Rule, parse_extract_name
from scorecard.synthetic import DEFAULT_AS_AT, GenerateOptions, Summary, generate_all, profile

SCALE = 0.02
AS_AT = DEFAULT_AS_AT
FORCES = [f.code for f in reference.forces()]
AREAS = [a.code for a in reference.cps_areas()]
BODIES = [c for c, _ in reference.national_bodies()]


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    out = tmp_path_factory.mktemp("nation")
    return out, generate_all(GenerateOptions(out=out, seed=7, scale=SCALE))


@pytest.fixture(scope="module")
def frames(nation: tuple[Path, Summary]) -> dict[tuple[str, str], pd.DataFrame]:
    """Every file read back through the production reader, keyed by (kind, org)."""
    out, _ = nation
    result = {}
    for path in sorted(out.iterdir()):
        name = parse_extract_name(path.name)
        result[(name.kind, name.org_code)] = read_extract(path, name.kind)
    return result


def _all(frames: dict, kind: str) -> pd.DataFrame:
    parts = [df.assign(_org=org) for (k, org), df in frames.items() if k == kind]
    return pd.concat(parts, ignore_index=True)


AREA_KINDS = (
    "cps_cases",
    "cps_action_plans",
    "cps_court_outcomes",
    "workforce",
    "recommendation_updates",
)


def expected_names(as_at: date = AS_AT, ext: str = "csv", court: bool = True) -> set[str]:
    """Every file of a nation; ``court`` False: a contract 1.0 nation (no court outcomes)."""
    names = set()
    for f in FORCES:
        names |= {
            f"{k}__{f}__{as_at}.{ext}"
            for k in ("police_cases", "workforce", "recommendation_updates")
        }
    for a in AREAS:
        names |= {
            f"{k}__{a}__{as_at}.{ext}" for k in AREA_KINDS if court or k != "cps_court_outcomes"
        }
    names |= {f"recommendation_updates__{b}__{as_at}.{ext}" for b in BODIES}
    return names


# --- files -------------------------------------------------------------------------------
def test_file_set_is_complete_and_names_parse(nation: tuple[Path, Summary]) -> None:
    out, summary = nation
    names = {p.name for p in out.iterdir()}
    assert names == expected_names(), "no missing, extra or temporary files"
    assert len(names) == 43 * 3 + 14 * 5 + len(BODIES) == summary.files
    for n in names:
        parsed = parse_extract_name(n)
        assert parsed.as_at == AS_AT and parsed.ext == "csv"


def test_summary_counts_rows(
    nation: tuple[Path, Summary], frames: dict[tuple[str, str], pd.DataFrame]
) -> None:
    _, summary = nation
    by_kind: dict[str, int] = {}
    for (kind, _), df in frames.items():
        by_kind[kind] = by_kind.get(kind, 0) + len(df)
    assert summary.by_kind == by_kind
    assert summary.rows == sum(by_kind.values())


def test_header_is_exactly_the_contract_columns_in_order(nation: tuple[Path, Summary]) -> None:
    out, _ = nation
    for path in out.iterdir():
        kind = parse_extract_name(path.name).kind
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header == ",".join(KINDS[kind].column_names), path.name


def test_every_file_reads_back_with_rows(frames: dict[tuple[str, str], pd.DataFrame]) -> None:
    for (kind, org), df in frames.items():
        assert len(df) > 0, (kind, org)
        assert [c for c in df.columns if c != "row_no"] == list(KINDS[kind].column_names)


def test_plain_formats_in_the_raw_files(nation: tuple[Path, Summary]) -> None:
    """Dates YYYY-MM-DD, flags upper-case Y/N, enumerations lower case, as senders write."""
    out, _ = nation
    path = out / f"police_cases__kent__{AS_AT}.csv"
    assert '"' not in path.read_text(encoding="utf-8"), "no quoting where none is needed"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("recorded_date", "outcome_date", "first_referral_date"):
        vals = raw[col][raw[col] != ""]
        assert vals.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), col
    for col in ("isva_referral", "vrr_informed", "victim_disability"):
        assert set(raw[col]) <= {"Y", "N", ""}, col
    for col in ("victim_ethnicity", "team_type", "relationship", "outcome_code"):
        assert (raw[col] == raw[col].str.lower()).all(), col
    assert raw["crime_ref"].str.fullmatch(r"KEN/\d{2}/\d{6}").all()
    urns = raw["cps_urn"][raw["cps_urn"] != ""]
    assert urns.str.fullmatch(r"46[A-Z]{2}\d{5}\d{2}").all()


# --- the contract ------------------------------------------------------------------------
def test_values_within_contract_types(frames: dict[tuple[str, str], pd.DataFrame]) -> None:
    for (kind, org), df in frames.items():
        for col in KINDS[kind].columns:
            s = df[col.name].dropna()
            where = f"{kind}/{org}/{col.name}"
            if col.required:
                assert df[col.name].notna().all(), f"{where}: required value missing"
            if col.values is not None:
                assert set(s) <= set(col.values), f"{where}: {set(s) - set(col.values)}"
            if col.max_len is not None:
                assert (s.str.len() <= col.max_len).all(), where
            if col.type == "date":
                assert s.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), where
                pd.to_datetime(s, format="%Y-%m-%d")  # raises on an impossible date
            if col.type in ("integer", "number"):
                nums = pd.to_numeric(s)
                if col.type == "integer":
                    assert s.str.fullmatch(r"-?\d+").all(), where
                if col.min_value is not None:
                    assert (nums >= col.min_value).all(), where
                if col.max_value is not None:
                    assert (nums <= col.max_value).all(), where
            if col.type == "fy":
                assert s.str.fullmatch(r"\d{4}-\d{2}").all(), where
            if col.type == "org_code":
                assert set(s) <= set(reference.all_org_codes()), where


def _d(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%Y-%m-%d")


def _violations(rule: Rule, df: pd.DataFrame, org: str, ctx: dict) -> pd.Series:
    """Rows breaking ``rule`` (True = broken), computed independently of the generator."""
    c, o, vals = rule.column, rule.other, rule.values
    present = df[c].notna()
    if rule.kind == "unique":
        return df[c].duplicated(keep=False)
    if rule.kind == "unique_together":
        return df.duplicated([o, c], keep=False)
    if rule.kind == "present":
        return ~present
    if rule.kind == "date_min":
        return present & (_d(df[c]) < pd.Timestamp("2016-04-01"))
    if rule.kind == "date_le_as_at":
        return present & (_d(df[c]) > pd.Timestamp(AS_AT))
    if rule.kind == "date_ge_column":
        both = present & df[o].notna()
        return both & (_d(df[c].where(both)) < _d(df[o].where(both)))
    if rule.kind == "required_when_present":
        return df[o].notna() & ~present
    if rule.kind == "required_when_value":
        return df[o].isin(vals) & ~present
    if rule.kind == "required_unless_value":
        return ~df[o].isin(vals) & ~present
    if rule.kind == "present_iff":
        return present != df[o].notna()
    if rule.kind == "empty_unless_value":
        return present & ~df[o].isin(vals)
    if rule.kind == "reactivation":
        react, decided = _d(df[c].where(present)), _d(df["decision_date"].where(present))
        on_admin = (df["decision"] == "admin_finalised") & (react >= decided)
        redecided = ~df["decision"].isin(["admin_finalised", "pending"]) & (decided >= react)
        return present & ~(on_admin | redecided)
    if rule.kind == "org_matches_file":
        return df[c] != org
    if rule.kind == "force_in_area":
        return ~df[c].isin(reference.forces_for_area(org))

    if rule.kind == "urn_in_cases" and vals:  # only cases with these decisions
        cases = ctx["cases"][org]
        return ~df[c].isin(cases.loc[cases["decision"].isin(vals), "urn"])
    if rule.kind == "urn_in_cases":
        return ~df[c].isin(ctx["cases"][org]["urn"])
    if rule.kind == "date_ge_case_decision":
        decided = ctx["cases"][org].set_index("urn")["decision_date"]
        return _d(df[c]) < _d(df["urn"].map(decided))
    if rule.kind == "date_ge_case_received":
        received = ctx["cases"][org].set_index("urn")["received_date"]
        return _d(df[c]) < _d(df["urn"].map(received))
    if rule.kind == "owner_of_rec":
        return pd.Series([org not in reference.owners_of(int(r)) for r in df[o]], index=df.index)
    raise AssertionError(f"no check for rule kind {rule.kind!r} ({rule.id}): add one")


def test_every_must_rule_holds(frames: dict[tuple[str, str], pd.DataFrame]) -> None:
    ctx = {"cases": {org: df for (k, org), df in frames.items() if k == "cps_cases"}}
    checked = set()
    for (kind, org), df in frames.items():
        for rule in KINDS[kind].rules:
            if rule.severity != "must":
                continue
            bad = _violations(rule, df, org, ctx)
            checked.add(rule.id)
            assert not bad.any(), (
                f"{rule.id} broken in {kind}/{org}: rows {list(df.row_no[bad])[:5]}"
            )
    assert checked == {r.id for k in KINDS.values() for r in k.rules if r.severity == "must"}


def _applies(rule: Rule, df: pd.DataFrame) -> pd.Series:
    if rule.kind == "required_when_present":
        return df[rule.other].notna()
    if rule.kind == "required_when_value":
        return df[rule.other].isin(rule.values)
    return pd.Series(True, index=df.index)


def test_should_rules_hold_nearly_always(frames: dict[tuple[str, str], pd.DataFrame]) -> None:
    """Should-rule gaps are realistic (a missing withdrawal reason) but a small minority."""
    for kind, spec in KINDS.items():
        df = _all(frames, kind)
        for rule in spec.rules:
            if rule.severity != "should":
                continue
            applies = _applies(rule, df)
            bad = _violations(rule, df, "", {})[applies]
            assert applies.sum() > 0, rule.id
            assert 0 < bad.mean() < 0.15, f"{rule.id}: {bad.mean():.1%} of {applies.sum()} rows"


# --- realism and linkage ---------------------------------------------------------------------
def test_victim_sex_consistent_with_offence(frames: dict) -> None:
    police = _all(frames, "police_cases")
    assert set(police.loc[police.offence_code == "19c", "victim_sex"]) <= {"f", "u", "x"}
    assert set(police.loc[police.offence_code == "19f", "victim_sex"]) <= {"m", "u", "x"}
    assert 0.04 < (police.offence_code == "19f").mean() < 0.12


def test_crime_refs_and_urns_are_unique_nationally(frames: dict) -> None:
    police = _all(frames, "police_cases")
    assert not police.crime_ref.duplicated().any()
    assert not police.cps_urn.dropna().duplicated().any()


def test_cps_cases_are_the_police_referrals_of_the_mapped_forces(frames: dict) -> None:
    police = _all(frames, "police_cases")
    cases = _all(frames, "cps_cases")
    referred = police[police.first_referral_date.notna()]
    assert set(cases.urn) == set(referred.cps_urn), "every referral, and only referrals"
    merged = cases.merge(referred, left_on="urn", right_on="cps_urn", suffixes=("", "_p"))
    assert (merged.police_force_code == merged._org_p).all()
    assert merged.apply(lambda r: r._org in reference.areas_for_force(r._org_p), axis=1).all()
    lag = (_d(merged.received_date) - _d(merged.first_referral_date)).dt.days
    assert lag.between(0, 2).all()
    linked = merged.crime_ref == merged.crime_ref_p
    assert 0.9 < linked.mean() < 1.0, "a small share of referrals does not link back"
    sought = merged.early_advice == "sought"
    assert ((merged.referral_type == "early_advice") == sought).all()


def test_met_referrals_split_between_the_london_areas(frames: dict) -> None:
    cases = _all(frames, "cps_cases")
    met = cases[cases.police_force_code == "metropolitan"]
    by_area = met._org.value_counts()
    assert set(by_area.index) == {"cps_london_north", "cps_london_south"}
    assert 0.35 < by_area["cps_london_north"] / len(met) < 0.65
    south = cases[cases._org == "cps_london_south"]
    assert set(south.police_force_code) == {"metropolitan"}


def test_action_plans_belong_to_their_areas_cases(frames: dict) -> None:
    for (kind, org), plans in frames.items():
        if kind != "cps_action_plans":
            continue
        cases = frames[("cps_cases", org)].set_index("urn")
        assert set(plans.urn) <= set(cases.index)
        nos = plans.groupby("urn").plan_no.apply(lambda s: sorted(int(x) for x in s))
        assert all(v == list(range(1, len(v) + 1)) for v in nos), "plan_no runs 1..n"
        issued = _d(plans.issued_date)
        decided = _d(plans.urn.map(cases.decision_date))
        assert (issued[decided.notna()] <= decided[decided.notna()]).all()


def test_police_outcome_follows_the_cps_decision(frames: dict) -> None:
    police = _all(frames, "police_cases")
    cases = _all(frames, "cps_cases")
    m = cases.merge(police, left_on="urn", right_on="cps_urn", suffixes=("", "_p"))
    charged = m[m.decision == "charge"]
    assert charged.outcome_code.isin(["1", "1a"]).all()
    assert (_d(charged.outcome_date) >= _d(charged.decision_date)).all()
    pending = m[m.decision == "pending"]
    assert pending.outcome_code.isna().all()
    never = police[police.first_referral_date.isna() & police.outcome_code.notna()]
    assert not never.outcome_code.isin(["1", "1a"]).any(), "no charge without the CPS"


def test_court_outcomes_are_the_areas_charged_cases(frames: dict) -> None:
    """One row per charged case of the Area (and only those), charged on or after the
    decision; completed cases have an outcome, open ones none."""
    for (kind, org), court in frames.items():
        if kind != "cps_court_outcomes":
            continue
        cases = frames[("cps_cases", org)]
        charged = cases[cases.decision == "charge"].set_index("urn")
        assert set(court.urn) == set(charged.index), org
        decided = _d(court.urn.map(charged.decision_date))
        assert (_d(court.charge_date) >= decided).all(), org
        assert (court.completion_date.notna() == court.outcome.notna()).all(), org


def test_victim_withdrawal_after_charge_agrees_with_the_police_record(frames: dict) -> None:
    """A victim who withdrew after charge (police record) is the court's withdrawal too: the
    case is discontinued, or still open, never convicted or acquitted."""
    police = _all(frames, "police_cases")
    court = _all(frames, "cps_court_outcomes")
    after = police[police.withdrawal_stage == "after_charge"]
    m = court.merge(police, left_on="urn", right_on="cps_urn", suffixes=("", "_p"))
    withdrew = m[m.withdrawal_date.notna() & m.urn.isin(after.cps_urn)]
    assert len(withdrew) > 0
    flag = withdrew.victim_withdrew_after_charge
    assert (flag.fillna("y") == "y").all(), "never N (a few gaps: the should rule)"
    assert (flag == "y").mean() > 0.85
    assert withdrew.outcome.isin(["discontinued"]).sum() > 0
    assert withdrew.outcome.dropna().eq("discontinued").all()
    done = court[court.outcome.notna()]
    share = done.outcome.isin(["convicted_rape", "convicted_other"]).mean()
    assert 0.5 < share < 0.85, share


@pytest.mark.parametrize("seed", [1, 2, 7, 11])
def test_conviction_outliers_are_one_low_and_one_high_among_the_larger_areas(seed: int) -> None:
    """A seed picks two outlier Areas, both serving at least the threshold
    population (reference data), one convicting far less often and one far more; the
    ordinary Areas keep the national plea rate and spread a little around it."""
    plans = profile.plan_courts(seed)
    served = profile.area_population_k()
    outliers = {c: p for c, p in plans.items() if p.plea_mult != 1.0}
    assert len(outliers) == 2, outliers
    assert all(served[c] >= profile.CONVICTION_OUTLIER_MIN_POPULATION_K for c in outliers)
    assert sorted((p.conviction_mult, p.plea_mult) for p in outliers.values()) == sorted(
        profile.CONVICTION_OUTLIERS
    )
    ordinary = [p.conviction_mult for c, p in plans.items() if c not in outliers]
    assert all(0.85 < m < 1.15 for m in ordinary), ordinary
    assert plans == profile.plan_courts(seed), "the same seed, the same picks"
    assert sum(served.values()) == pytest.approx(sum(f.population_k for f in reference.forces()))


def test_a_contract_1_0_nation_has_no_court_outcomes_and_is_otherwise_the_same(
    nation: tuple[Path, Summary], tmp_path: Path
) -> None:
    """What a v1.0 sender sends: the same files, less stage three (the "not yet sent" case)."""
    out, _ = nation
    summary = generate_all(GenerateOptions(out=tmp_path, seed=7, scale=SCALE, contract="1.0"))
    names = {p.name for p in tmp_path.iterdir()}
    assert names == expected_names(court=False)
    assert summary.files == len(names) and "cps_court_outcomes" not in summary.by_kind
    for name in names:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_workforce_rows_per_financial_year(frames: dict) -> None:
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2016, 2027)]
    police_cols = ["rasso_investigators_qualified", "ssaidp_attendance", "detective_vacancies"]
    cps_cols = ["rasso_prosecutors_fte", "rasso_prosecutor_vacancies"]
    for (kind, org), df in frames.items():
        if kind != "workforce":
            continue
        assert list(df.financial_year) == years, org
        is_force = reference.org_kind(org) == "force"
        assert df[police_cols].notna().all().all() == is_force, org
        assert df[cps_cols].isna().all().all() == is_force, org
        trauma = df.set_index("financial_year").joint_trauma_training_staff.astype(int)
        assert (trauma[:"2020-21"] == 0).all() and trauma["2025-26"] > 0, org


def test_recommendation_updates_cover_what_each_owner_owns(frames: dict) -> None:
    for org in FORCES + AREAS + BODIES:
        df = frames[("recommendation_updates", org)]
        owned = {
            r.rec_no for r in reference.recommendations() if org in reference.owners_of(r.rec_no)
        }
        assert {int(x) for x in df.rec_no} == owned, org
    updates = _all(frames, "recommendation_updates")
    share = updates.status.value_counts(normalize=True)
    assert share.get("in_progress", 0) + share.get("implemented", 0) > 0.6
    assert share.get("verified", 0) < 0.2


# --- determinism, options, formats ---------------------------------------------------------
def test_same_seed_same_bytes_different_seed_different(
    nation: tuple[Path, Summary], tmp_path: Path
) -> None:
    out, _ = nation
    again = generate_all(GenerateOptions(out=tmp_path / "again", seed=7, scale=SCALE))
    assert again.files == len(list(out.iterdir()))
    for path in out.iterdir():
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name
    generate_all(GenerateOptions(out=tmp_path / "other", seed=8, scale=SCALE))
    for kind_org in ("police_cases__kent", "cps_cases__cps_south_east"):
        name = f"{kind_org}__{AS_AT}.csv"
        assert (tmp_path / "other" / name).read_bytes() != (out / name).read_bytes()


def test_scale_multiplies_case_volumes_only(nation: tuple[Path, Summary], tmp_path: Path) -> None:
    _, small = nation
    big = generate_all(GenerateOptions(out=tmp_path, seed=7, scale=SCALE * 3))
    for kind in ("police_cases", "cps_cases", "cps_action_plans", "cps_court_outcomes"):
        assert 2.6 < big.by_kind[kind] / small.by_kind[kind] < 3.4, kind
    for kind in ("workforce", "recommendation_updates"):
        assert big.by_kind[kind] == small.by_kind[kind], kind


def test_parquet_holds_the_same_data_as_csv(nation: tuple[Path, Summary], tmp_path: Path) -> None:
    out, _ = nation
    generate_all(GenerateOptions(out=tmp_path, seed=7, scale=SCALE, fmt="parquet"))
    names = {p.name for p in tmp_path.iterdir()}
    assert names == expected_names(ext="parquet")
    for stem in (
        "police_cases__kent",
        "cps_cases__cps_london_south",
        "workforce__cps_wessex",
        "cps_action_plans__cps_wessex",
        "cps_court_outcomes__cps_wessex",
        "recommendation_updates__home_office",
    ):
        kind = stem.split("__")[0]
        a = read_extract(out / f"{stem}__{AS_AT}.csv", kind)
        b = read_extract(tmp_path / f"{stem}__{AS_AT}.parquet", kind)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_an_earlier_as_at_truncates_the_history(tmp_path: Path) -> None:
    as_at = date(2020, 3, 31)
    summary = generate_all(GenerateOptions(out=tmp_path, seed=3, scale=SCALE, as_at=as_at))
    names = {p.name for p in tmp_path.iterdir()}
    # No recommendation existed before the July 2021 report, so no progress returns yet.
    assert names == {n for n in expected_names(as_at) if not n.startswith("recommendation")}
    assert summary.files == len(names)
    police = read_extract(tmp_path / f"police_cases__kent__{as_at}.csv", "police_cases")
    for col in ("recorded_date", "outcome_date", "first_referral_date", "victim_informed_date"):
        assert police[col].dropna().max() <= "2020-03-31", col
    wf = read_extract(tmp_path / f"workforce__kent__{as_at}.csv", "workforce")
    assert list(wf.financial_year)[-1] == "2019-20"


def test_out_must_not_be_a_file(tmp_path: Path) -> None:
    target = tmp_path / "a_file"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        generate_all(GenerateOptions(out=target))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scale": 0}, "scale"),
        ({"scale": float("nan")}, "scale"),
        ({"seed": -1}, "seed"),
        ({"as_at": date(2016, 3, 31)}, "before"),
        ({"fmt": "xlsx"}, "format"),
        ({"contract": "2.0"}, "contract"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_all(GenerateOptions(out=tmp_path / "x", **changes))


def test_no_temporary_files_are_left(nation: tuple[Path, Summary]) -> None:
    out, _ = nation
    assert not [p for p in out.iterdir() if re.search(r"\.tmp$|^\.", p.name)]


def test_a_tiny_scale_still_gives_every_file_a_row(tmp_path: Path) -> None:
    """Even the City of London at scale 0.001 sends a non-empty, linked snapshot. Court
    outcomes come only from an Area that has charged someone (an empty file is refused)."""
    generate_all(GenerateOptions(out=tmp_path, seed=5, scale=0.001))
    charging = {
        a
        for a in AREAS
        if (
            read_extract(tmp_path / f"cps_cases__{a}__{AS_AT}.csv", "cps_cases").decision
            == "charge"
        ).any()
    }
    assert {p.name for p in tmp_path.iterdir()} == expected_names() - {
        f"cps_court_outcomes__{a}__{AS_AT}.csv" for a in set(AREAS) - charging
    }
    assert charging, "some Areas have charged even at this scale"
    for path in tmp_path.iterdir():
        name = parse_extract_name(path.name)
        assert len(read_extract(path, name.kind)) > 0, path.name
    south = read_extract(tmp_path / f"cps_cases__cps_london_south__{AS_AT}.csv", "cps_cases")
    plans = read_extract(
        tmp_path / f"cps_action_plans__cps_london_south__{AS_AT}.csv", "cps_action_plans"
    )
    assert set(plans.urn) <= set(south.urn)


def test_csv_is_plain_but_quotes_a_value_that_needs_it(tmp_path: Path) -> None:
    import pyarrow as pa

    from scorecard.synthetic.write import write_extract

    table = pa.table(
        {
            "rec_no": pa.array([1, 2], pa.int64()),
            "owner_code": ["kent", "kent"],
            "status": ["implemented", "in_progress"],
            "target_date": pa.array([None, None], pa.date32()),
            "evidence": ['Audit done, "all" files', "plain"],
            "updated_on": pa.array([date(2022, 1, 5), date(2023, 2, 1)], pa.date32()),
        }
    )
    path = write_extract(table, "recommendation_updates", "kent", AS_AT, tmp_path, "csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "rec_no,owner_code,status,target_date,evidence,updated_on"
    assert '"Audit done, ""all"" files"' in lines[1], "RFC 4180 quoting when needed"
    back = read_extract(path, "recommendation_updates")
    assert back.evidence[0] == 'Audit done, "all" files'
