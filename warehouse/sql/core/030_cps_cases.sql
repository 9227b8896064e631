-- Every current CPS referral, linked or not, with its action-plan summary and the recorded
-- date of its linked offence(s) (the cohort date; earliest when a URN covers several).
CREATE OR REPLACE TEMP TABLE action_plans AS
SELECT c.area_code, c.police_force_code AS force_code, e.as_at, a.urn, a.plan_no,
       a.issued_date, a.target_date, a.response_date, a.items, a.escalated,
       c.received_date
FROM raw.cps_action_plans a
JOIN raw.extracts e ON e.extract_id = a.extract_id AND e.is_current
    AND e.kind = 'cps_action_plans'
JOIN core.cps_current c ON c.area_code = e.org_code AND c.urn = a.urn;

CREATE OR REPLACE TEMP TABLE cps_cases AS
WITH linked AS (
    SELECT l.area_code, l.urn, min(p.recorded_date) AS police_recorded_date,
           count(*) AS police_records, min(l.link_method) AS link_method
    FROM temp.case_links l
    JOIN core.police_current p ON p.force_code = l.force_code AND p.crime_ref = l.crime_ref
    GROUP BY ALL
), plans AS (
    SELECT area_code, urn, count(*) AS plan_count, min(issued_date) AS first_plan_date
    FROM temp.action_plans
    GROUP BY ALL
)
SELECT c.area_code, c.police_force_code AS force_code, c.as_at, c.urn, c.crime_ref,
       c.received_date, c.referral_type, c.file_standard_met, c.decision, c.decision_date,
       c.reactivated_date, c.face_to_face_before_nfa, c.victim_letter_date,
       c.vrr_requested, c.vrr_upheld, c.police_appeal, c.police_appeal_upheld,
       l.urn IS NOT NULL AS linked,
       l.link_method,
       coalesce(l.police_records, 0) AS police_records,
       l.police_recorded_date,
       coalesce(pl.plan_count, 0) AS plan_count,
       pl.first_plan_date
FROM core.cps_current c
LEFT JOIN linked l ON l.area_code = c.area_code AND l.urn = c.urn
LEFT JOIN plans pl ON pl.area_code = c.area_code AND pl.urn = c.urn;
