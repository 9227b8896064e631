-- Trials (a trial started on or before the extract date; period: dated by its start): the
-- share with an ISVA supporting the victim (''), and with special measures granted. Empty
-- flags count as no.
SELECT 'ratio' AS kind, k.breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN trial_start_date ELSE police_recorded_date END
           AS event_date,
       sent_force_code AS force_code, area_code,
       CASE k.breakdown WHEN '' THEN coalesce(isva_at_trial, FALSE)
                        ELSE coalesce(special_measures, FALSE) END::INTEGER AS num,
       1 AS den
FROM core.court_outcomes, (VALUES ('period'), ('cohort')) b(basis),
     (VALUES (''), ('support=special_measures')) k(breakdown)
WHERE trial_start_date IS NOT NULL AND trial_start_date <= as_at
  AND (b.basis = 'period' OR police_recorded_date IS NOT NULL)
