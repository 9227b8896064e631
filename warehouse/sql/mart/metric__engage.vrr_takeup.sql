-- Police NFA outcomes and CPS NFA decisions together ('') and apart (decision_by=...).
WITH decisions AS (
    SELECT 'police' AS decision_by, outcome_date AS decided, recorded_date AS cohort_date,
           force_code, area_code, coalesce(vrr_requested, false)::INTEGER AS requested
    FROM temp.cases
    WHERE is_police_nfa
    UNION ALL
    SELECT 'cps', decision_date, police_recorded_date, force_code, area_code,
           coalesce(vrr_requested, false)::INTEGER
    FROM temp.cps_cases
    WHERE decision = 'nfa'
)
SELECT 'ratio' AS kind,
       CASE WHEN bd.apart THEN 'decision_by=' || decision_by ELSE '' END AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN decided ELSE cohort_date END AS event_date,
       force_code, area_code, requested AS num, 1 AS den
FROM decisions, (VALUES ('period'), ('cohort')) b(basis), (VALUES (false), (true)) bd(apart)
WHERE b.basis = 'period' OR cohort_date IS NOT NULL
