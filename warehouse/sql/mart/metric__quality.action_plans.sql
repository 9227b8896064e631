-- Mean plans per referral ('' dist), and the share with more than 1 / more than 3 plans.
SELECT k.kind, k.breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN received_date ELSE police_recorded_date END AS event_date,
       force_code, area_code,
       CASE k.breakdown
           WHEN '' THEN plan_count
           WHEN 'plans=more_than_1' THEN (plan_count > 1)::INTEGER
           ELSE (plan_count > 3)::INTEGER END AS num,
       1 AS den
FROM temp.cps_cases, (VALUES ('period'), ('cohort')) b(basis),
     (VALUES ('dist', ''), ('ratio', 'plans=more_than_1'), ('ratio', 'plans=more_than_3'))
         k(kind, breakdown)
WHERE b.basis = 'period' OR police_recorded_date IS NOT NULL
