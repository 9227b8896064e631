-- Period: referrals dated in the period (numerator) over offences recorded in it (denominator)
-- - two flows, so each fact carries only one side. Cohort: offences recorded at least 12
-- months before the force's extract date; numerator = first referred within 12 months.
SELECT 'ratio' AS kind, '' AS breakdown, 'period' AS basis, recorded_date AS event_date,
       force_code, area_code, 0 AS num, 1 AS den
FROM temp.cases
UNION ALL
SELECT 'ratio', '', 'period', first_referral_date, force_code, area_code, 1, 0
FROM temp.cases
WHERE first_referral_date IS NOT NULL
UNION ALL
SELECT 'ratio', '', 'cohort', recorded_date, force_code, area_code,
       (first_referral_date IS NOT NULL
        AND first_referral_date <= recorded_date + INTERVAL 12 MONTH)::INTEGER, 1
FROM temp.cases
WHERE recorded_date + INTERVAL 12 MONTH <= as_at
