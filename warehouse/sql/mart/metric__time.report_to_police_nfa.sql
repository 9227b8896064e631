-- '' and by team type (a cross join with a CASE, not a LATERAL union: far cheaper per row).
SELECT 'dist' AS kind,
       CASE WHEN bd.by_team THEN 'team_type=' || team_type ELSE '' END AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END AS event_date,
       force_code, area_code, (outcome_date - recorded_date) AS num, 1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis), (VALUES (false), (true)) bd(by_team)
WHERE is_police_nfa
