SELECT 'ratio' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END AS event_date,
       force_code, area_code, (victim_informed_date IS NOT NULL)::INTEGER AS num, 1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE is_police_nfa
