SELECT 'dist' AS kind, bd.breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END AS event_date,
       force_code, area_code, (outcome_date - recorded_date) AS num, 1 AS den
FROM core.cases, (VALUES ('period'), ('cohort')) b(basis),
     LATERAL (SELECT '' AS breakdown UNION ALL SELECT 'team_type=' || team_type) bd
WHERE is_police_nfa
