-- Which CPS Areas have sent stage three (contract v1.1). An Area without a current
-- cps_court_outcomes extract has not sent it yet: its stage three is "not yet sent", never
-- zero.
CREATE OR REPLACE TABLE core.court_coverage AS
SELECT a.code AS area_code, e.as_at AS court_as_at, e.extract_id IS NOT NULL AS sent
FROM ref.cps_areas a
LEFT JOIN raw.extracts e ON e.org_code = a.code AND e.is_current
    AND e.kind = 'cps_court_outcomes';

-- A force's stage three is sent when every CPS Area it maps to has sent court outcomes
-- (ref.force_area_map: the Metropolitan Police has two); until then its court figures are
-- "not yet sent", never zero and never one Area's half.
CREATE OR REPLACE TABLE core.court_force_coverage AS
SELECT m.force_code, bool_and(coalesce(v.sent, FALSE)) AS sent,
       CASE WHEN bool_and(coalesce(v.sent, FALSE)) THEN min(v.court_as_at) END AS court_as_at
FROM ref.force_area_map m
LEFT JOIN core.court_coverage v ON v.area_code = m.area_code
GROUP BY m.force_code;

-- Stage three: each current court outcome with its CPS charge (the Area's current cps_cases
-- row for the URN, decision charge) and, through that case's linkage (temp.cps_cases), its
-- police record(s): force, how it linked, how many offences and the earliest recorded date
-- (the cohort date). A row whose charge is no longer in the Area's current cases keeps its
-- outcome but has no charge or police link (charge_linked false). sent_force_code: the force
-- when its stage three is sent (core.court_force_coverage), else NULL - the stage-three
-- metrics' force and regional figures use it, so no force shows one Area's half.
CREATE OR REPLACE TABLE core.court_outcomes AS
SELECT e.org_code AS area_code, c.force_code, e.as_at, o.urn,
       o.charge_date, o.first_hearing_date, o.plea, o.trial_start_date,
       o.ineffective_trials, o.completion_date, o.outcome,
       coalesce(r.successful, FALSE) AS successful,
       o.victim_withdrew_after_charge, o.special_measures, o.isva_at_trial,
       c.urn IS NOT NULL AS charge_linked,
       c.received_date AS cps_received_date, c.decision_date AS cps_decision_date,
       coalesce(c.linked, FALSE) AS police_linked, c.link_method,
       coalesce(c.police_records, 0) AS police_records, c.police_recorded_date,
       CASE WHEN f.sent THEN c.force_code END AS sent_force_code
FROM raw.cps_court_outcomes o
JOIN raw.extracts e ON e.extract_id = o.extract_id AND e.is_current
    AND e.kind = 'cps_court_outcomes'
LEFT JOIN temp.cps_cases c ON c.area_code = e.org_code AND c.urn = o.urn
    AND c.decision = 'charge'
LEFT JOIN ref.court_outcomes r ON r.code = o.outcome
LEFT JOIN core.court_force_coverage f ON f.force_code = c.force_code;
