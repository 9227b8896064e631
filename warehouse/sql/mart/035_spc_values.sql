-- SPC input, set-wise (warehouse/build.py build_spc; limits and rules for every series at
-- once by warehouse.metrics.spc.analyse_many). Every quarterly value up to the last complete
-- quarter: $quarters lists each quarter label from the earliest in the data to the last
-- complete one, in order, and q_idx is a value's 1-based place in that list. Rows with a
-- NULL key are left out (they never formed a series).
CREATE OR REPLACE TEMP TABLE spc_values AS
WITH q AS (
    SELECT unnest($quarters) AS period, generate_subscripts($quarters, 1) AS q_idx
)
SELECT i.level, i.org_code, i.basis, i.metric_id, i.stat, i.breakdown, q.q_idx,
       i.numerator, i.denominator, i.value
FROM temp.metric_values_internal i
JOIN q ON q.period = i.period
WHERE i.period_kind = 'quarter' AND i.value IS NOT NULL
  AND i.level IS NOT NULL AND i.org_code IS NOT NULL AND i.basis IS NOT NULL
  AND i.metric_id IS NOT NULL AND i.stat IS NOT NULL AND i.breakdown IS NOT NULL;
