SELECT 'ratio' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN decision_date ELSE police_recorded_date END AS event_date,
       force_code, area_code, (decision = 'charge')::INTEGER AS num, 1 AS den
FROM temp.cps_cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE decision IN ('charge', 'nfa')
  AND (b.basis = 'period' OR police_recorded_date IS NOT NULL)
