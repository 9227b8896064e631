SELECT 'ratio' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END AS event_date,
       force_code, area_code, (outcome_code IN ('1', '1a'))::INTEGER AS num, 1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE outcome_code IS NOT NULL
