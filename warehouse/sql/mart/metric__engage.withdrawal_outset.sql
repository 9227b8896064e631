-- '' = not supporting from the outset; when=later = supported at the outset, withdrew later.
SELECT 'ratio' AS kind, w.breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END AS event_date,
       force_code, area_code,
       CASE w.breakdown
           WHEN '' THEN coalesce(victim_supported_at_outset = false, false)
           ELSE coalesce(victim_supported_at_outset, false) END::INTEGER AS num,
       1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis), (VALUES (''), ('when=later')) w(breakdown)
WHERE outcome_code = '16'
