-- outcome=...: every outcome by type (period: outcomes dated in the period; cohort: every
-- offence recorded in the period, "open" when no outcome yet). police_nfa_outcome=...:
-- police NFA outcomes by code.
SELECT 'share' AS kind,
       'outcome=' || CASE
           WHEN outcome_code IS NULL THEN 'open'
           WHEN outcome_code IN ('1', '1a') THEN 'charge'
           WHEN outcome_code IN ('14', '15', '16', '18', '21') THEN outcome_code
           ELSE 'other' END AS breakdown,
       b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END AS event_date,
       force_code, area_code, 1 AS num, 1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE b.basis = 'cohort' OR outcome_code IS NOT NULL
UNION ALL
SELECT 'share', 'police_nfa_outcome=' || outcome_code, b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END,
       force_code, area_code, 1, 1
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE is_police_nfa
