-- Plans due (target date on or before the Area's extract date): late = answered after the
-- target, or unanswered at the extract date.
SELECT 'ratio' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN a.target_date ELSE c.police_recorded_date END AS event_date,
       a.force_code, a.area_code,
       (a.response_date > a.target_date
        OR (a.response_date IS NULL AND a.target_date < a.as_at))::INTEGER AS num,
       1 AS den
FROM temp.action_plans a
JOIN temp.cps_cases c ON c.area_code = a.area_code AND c.urn = a.urn,
     (VALUES ('period'), ('cohort')) b(basis)
WHERE a.target_date IS NOT NULL AND a.target_date <= a.as_at
  AND (b.basis = 'period' OR c.police_recorded_date IS NOT NULL)
