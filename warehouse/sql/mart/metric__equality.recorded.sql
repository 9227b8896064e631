-- Recorded: ethnicity not 'u', disability Y or N, sexual orientation not 'u'.
WITH r AS (
    SELECT recorded_date, force_code, area_code,
           victim_ethnicity <> 'u' AS eth,
           victim_disability IS NOT NULL AS dis,
           victim_sexual_orientation <> 'u' AS so
    FROM temp.cases
)
SELECT 'ratio' AS kind, k.breakdown, 'period' AS basis, recorded_date AS event_date,
       force_code, area_code,
       CASE k.breakdown
           WHEN '' THEN eth AND dis AND so
           WHEN 'characteristic=ethnicity' THEN eth
           WHEN 'characteristic=disability' THEN dis
           ELSE so END::INTEGER AS num,
       1 AS den
FROM r, (VALUES (''), ('characteristic=ethnicity'), ('characteristic=disability'),
                ('characteristic=sexual_orientation')) k(breakdown)
