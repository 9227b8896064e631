-- Charge/summons rate and days report -> outcome, by victim sex, age band and ethnicity.
WITH o AS (
    SELECT outcome_date, recorded_date, force_code, area_code,
           (outcome_code IN ('1', '1a'))::INTEGER AS charged,
           outcome_date - recorded_date AS days,
           victim_sex, victim_age_band, victim_ethnicity
    FROM temp.cases
    WHERE outcome_code IS NOT NULL
)
SELECT k.kind,
       d.name || '=' || CASE d.name WHEN 'sex' THEN victim_sex
                                    WHEN 'age_band' THEN victim_age_band
                                    ELSE victim_ethnicity END AS breakdown,
       b.basis,
       CASE b.basis WHEN 'period' THEN outcome_date ELSE recorded_date END AS event_date,
       force_code, area_code,
       CASE k.kind WHEN 'ratio' THEN charged ELSE days END AS num, 1 AS den
FROM o, (VALUES ('period'), ('cohort')) b(basis), (VALUES ('ratio'), ('dist')) k(kind),
     (VALUES ('sex'), ('age_band'), ('ethnicity')) d(name)
