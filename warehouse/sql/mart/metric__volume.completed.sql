-- Stage three: prosecutions completed at court ('' count) and of them the successful ones
-- (convicted of rape or another offence). Only Areas that have sent court outcomes have rows:
-- an Area not yet sent adds nothing, never a zero (core.court_coverage says which sent), and
-- force and regional figures cover only forces whose every Area has sent (sent_force_code).
-- The other stage-three metrics follow the same rule.
SELECT 'count' AS kind, k.breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN completion_date ELSE police_recorded_date END
           AS event_date,
       sent_force_code AS force_code, area_code, 1 AS num, 1 AS den
FROM core.court_outcomes, (VALUES ('period'), ('cohort')) b(basis),
     (VALUES (''), ('result=successful')) k(breakdown)
WHERE completion_date IS NOT NULL
  AND (k.breakdown = '' OR successful)
  AND (b.basis = 'period' OR police_recorded_date IS NOT NULL)
