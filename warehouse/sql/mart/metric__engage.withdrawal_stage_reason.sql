-- Withdrawals (as engage.withdrawal_recorded: a withdrawal date recorded, or outcome 16 after
-- supporting at the outset) shared out by the stage the victim withdrew at (stage=...) and by
-- the reason given (reason=...). A missing stage, and a missing or 'u' (unknown) reason, are
-- stage=not_recorded / reason=not_recorded, so each breakdown's shares cover every withdrawal.
SELECT 'share' AS kind,
       'stage=' || coalesce(CAST(withdrawal_stage AS VARCHAR), 'not_recorded') AS breakdown,
       b.basis,
       CASE b.basis WHEN 'period' THEN coalesce(withdrawal_date, outcome_date)
            ELSE recorded_date END AS event_date,
       force_code, area_code, 1 AS num, 1 AS den
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE withdrawal_date IS NOT NULL
   OR (outcome_code = '16' AND coalesce(victim_supported_at_outset, false))
UNION ALL
SELECT 'share',
       'reason=' || CASE WHEN withdrawal_reason IS NULL OR withdrawal_reason = 'u'
                         THEN 'not_recorded' ELSE CAST(withdrawal_reason AS VARCHAR) END,
       b.basis,
       CASE b.basis WHEN 'period' THEN coalesce(withdrawal_date, outcome_date)
            ELSE recorded_date END,
       force_code, area_code, 1, 1
FROM temp.cases, (VALUES ('period'), ('cohort')) b(basis)
WHERE withdrawal_date IS NOT NULL
   OR (outcome_code = '16' AND coalesce(victim_supported_at_outset, false))
