SELECT 'dist' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN first_referral_date ELSE recorded_date END AS event_date,
       force_code, area_code, (first_referral_date - recorded_date) AS num, 1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE first_referral_date IS NOT NULL
