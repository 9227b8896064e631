SELECT 'ratio' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN a.issued_date ELSE c.police_recorded_date END AS event_date,
       a.force_code, a.area_code, (a.target_date IS NOT NULL)::INTEGER AS num, 1 AS den
FROM temp.action_plans a
JOIN temp.cps_cases c ON c.area_code = a.area_code AND c.urn = a.urn,
     (VALUES ('period'), ('cohort')) b(basis)
WHERE b.basis = 'period' OR c.police_recorded_date IS NOT NULL
