"""Reference data: complete, consistent, and the force-Area mapping is many-to-many."""

from __future__ import annotations

from scorecard import reference


def test_43_forces_14_areas_with_unique_codes() -> None:
    forces = reference.forces()
    areas = reference.cps_areas()
    assert len(forces) == 43
    assert len(areas) == 14
    codes = [f.code for f in forces] + [a.code for a in areas]
    codes += [c for c, _ in reference.national_bodies()]
    assert len(codes) == len(set(codes)), "an org code is used twice"


def test_every_force_has_region_and_local_policing_body() -> None:
    regions = {r["code"] for r in reference.read_csv("regions.csv")}
    for f in reference.forces():
        assert f.region in regions, f.code
        assert f.local_policing_body
        assert f.population_k > 0


def test_mapping_covers_every_force_and_every_area() -> None:
    pairs = reference.force_area_pairs()
    forces = {f.code for f in reference.forces()}
    areas = {a.code for a in reference.cps_areas()}
    assert {f for f, _, _ in pairs} == forces
    assert {a for _, a, _ in pairs} == areas
    for f in forces:
        shares = [s for ff, _, s in pairs if ff == f]
        assert abs(sum(shares) - 1.0) < 1e-9, f


def test_met_maps_to_two_areas() -> None:
    assert set(reference.areas_for_force("metropolitan")) == {
        "cps_london_north",
        "cps_london_south",
    }
    assert set(reference.forces_for_area("cps_london_north")) == {"metropolitan", "city_of_london"}
    assert reference.forces_for_area("cps_london_south") == ("metropolitan",)


def test_outcome_types_1_to_22() -> None:
    codes = reference.outcome_codes()
    assert set(codes) == {"1", "1a"} | {str(n) for n in range(2, 23)}


def test_thirteen_recommendations_and_owner_rules() -> None:
    recs = reference.recommendations()
    assert [r.rec_no for r in recs] == list(range(1, 14))
    assert len(reference.owners_of(1)) == 43
    assert len(reference.owners_of(4)) == 43 + 14 + 2
    assert set(reference.owners_of(8)) == {"national_cjb", "crime_policing_minister"}
    assert reference.owners_of(9) == ("cps_hq",)
    assert {r.due for r in recs} <= {"immediate", "default"}


def test_published_series_cite_a_source() -> None:
    rows = reference.read_csv("published_series.csv")
    assert {(r["series_id"], r["financial_year"]): int(r["value"]) for r in rows}[
        ("recorded", "2019-20")
    ] == 56061
    assert all(r["source"] for r in rows)
    header = reference.read_text("published_series.csv").splitlines()[0]
    assert header.startswith("#") and "inspection" in reference.read_text("published_series.csv")
