-- Completed prosecutions discontinued with the victim withdrawing after charge (an empty
-- withdrawal flag counts as not withdrawn), of all prosecutions completed.
SELECT 'ratio' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN completion_date ELSE police_recorded_date END
           AS event_date,
       sent_force_code AS force_code, area_code,
       (outcome = 'discontinued' AND coalesce(victim_withdrew_after_charge, FALSE))::INTEGER
           AS num,
       1 AS den
FROM core.court_outcomes, (VALUES ('period'), ('cohort')) b(basis)
WHERE completion_date IS NOT NULL
  AND (b.basis = 'period' OR police_recorded_date IS NOT NULL)
