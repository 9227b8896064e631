-- Sought: police early_advice = sought, or the linked CPS referral is an early advice one.
-- Considered: sought, or not sought with a reason recorded.
WITH referred AS (
    SELECT first_referral_date, recorded_date, force_code, area_code,
           (early_advice = 'sought' OR cps_referral_type = 'early_advice') AS sought,
           (early_advice = 'not_sought' AND nullif(trim(early_advice_reason), '') IS NOT NULL)
               AS reasoned,
           coalesce(cps_decision, 'none') AS cps_decision
    FROM temp.cases
    WHERE first_referral_date IS NOT NULL
)
SELECT 'ratio' AS kind,
       CASE m.measure WHEN 'sought' THEN '' WHEN 'considered' THEN 'measure=considered'
            ELSE 'cps_decision=' || cps_decision END AS breakdown,
       b.basis,
       CASE b.basis WHEN 'period' THEN first_referral_date ELSE recorded_date END AS event_date,
       force_code, area_code,
       CASE WHEN m.measure = 'considered'
            THEN coalesce(sought, false) OR coalesce(reasoned, false)
            ELSE coalesce(sought, false) END::INTEGER AS num,
       1 AS den
FROM referred, (VALUES ('period'), ('cohort')) b(basis),
     (VALUES ('sought'), ('considered'), ('decision')) m(measure)
