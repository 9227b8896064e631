SELECT 'ratio' AS kind, '' AS breakdown, 'period' AS basis, received_date AS event_date,
       force_code, area_code, linked::INTEGER AS num, 1 AS den
FROM temp.cps_cases
