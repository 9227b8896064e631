-- Withdrawals: a withdrawal date recorded, or outcome 16 after supporting at the outset.
SELECT 'ratio' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN coalesce(withdrawal_date, outcome_date)
            ELSE recorded_date END AS event_date,
       force_code, area_code,
       (withdrawal_date IS NOT NULL AND withdrawal_stage IS NOT NULL
        AND withdrawal_reason IS NOT NULL AND withdrawal_reason <> 'u')::INTEGER AS num,
       1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE withdrawal_date IS NOT NULL
   OR (outcome_code = '16' AND coalesce(victim_supported_at_outset, false))
