-- One cohort of recorded offences (dated by the recorded date) followed as at the extract
-- date: the share referred to the CPS (police record), charged (linked CPS decision charge),
-- completed at court and convicted (the linked charge's court outcome). Completed and
-- convicted cover only offences of forces whose stage three is sent
-- (core.court_force_coverage): a force not yet sent leaves those stages out, never zero.
WITH c AS (
    SELECT c.force_code, c.area_code, c.recorded_date,
           c.first_referral_date IS NOT NULL AS referred,
           coalesce(c.cps_decision = 'charge', FALSE) AS charged,
           o.completion_date IS NOT NULL AS completed,
           coalesce(o.completion_date IS NOT NULL AND o.successful, FALSE) AS convicted,
           c.force_code IN (SELECT force_code FROM core.court_force_coverage WHERE sent)
               AS court_sent
    FROM temp.cases c
    LEFT JOIN core.court_outcomes o ON o.area_code = c.area_code AND o.urn = c.linked_urn
)
SELECT 'ratio' AS kind, s.breakdown, 'cohort' AS basis, recorded_date AS event_date,
       force_code, area_code,
       CASE s.breakdown WHEN 'reached=referred' THEN referred
                        WHEN 'reached=charged' THEN charged
                        WHEN 'reached=completed' THEN completed
                        ELSE convicted END::INTEGER AS num,
       1 AS den
FROM c, (VALUES ('reached=referred'), ('reached=charged'), ('reached=completed'),
                ('reached=convicted')) s(breakdown)
WHERE court_sent OR s.breakdown IN ('reached=referred', 'reached=charged')
