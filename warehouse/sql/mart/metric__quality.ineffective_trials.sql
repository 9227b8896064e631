-- Completed prosecutions: ineffective trials per prosecution ('' dist, its mean), and the
-- share with one or more.
SELECT k.kind, k.breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN completion_date ELSE police_recorded_date END
           AS event_date,
       sent_force_code AS force_code, area_code,
       CASE k.breakdown WHEN '' THEN ineffective_trials
                        ELSE (ineffective_trials > 0)::INTEGER END AS num,
       1 AS den
FROM core.court_outcomes, (VALUES ('period'), ('cohort')) b(basis),
     (VALUES ('dist', ''), ('ratio', 'trials=one_or_more')) k(kind, breakdown)
WHERE completion_date IS NOT NULL
  AND (b.basis = 'period' OR police_recorded_date IS NOT NULL)
