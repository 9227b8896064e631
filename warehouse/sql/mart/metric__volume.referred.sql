-- view=police: police records by first referral date; view=cps: CPS referrals received.
SELECT 'count' AS kind, 'view=police' AS breakdown, 'period' AS basis,
       first_referral_date AS event_date, force_code, area_code, 1 AS num, 1 AS den
FROM temp.cases
WHERE first_referral_date IS NOT NULL
UNION ALL
SELECT 'count', 'view=cps', 'period', received_date, force_code, area_code, 1, 1
FROM temp.cps_cases
