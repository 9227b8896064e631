SELECT 'ratio' AS kind, '' AS breakdown, 'period' AS basis, recorded_date AS event_date,
       force_code, area_code, coalesce(isva_referral, false)::INTEGER AS num, 1 AS den
FROM temp.cases
