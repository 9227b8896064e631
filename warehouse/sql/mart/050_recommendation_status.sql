-- Every recommendation x owner: latest status, target date (the owner's latest stated
-- target, else the rule's default), overdue as at the latest extract date loaded (max as_at
-- of current extracts - deterministic), RAG, last update.
-- RAG is scorecard.rag.RULES, substituted by build.py (str.format "rag"); overdue is red.
CREATE OR REPLACE TABLE mart.recommendation_status AS
WITH as_of AS (
    SELECT max(as_at) AS as_at FROM raw.extracts WHERE is_current
), latest AS (
    SELECT * FROM core.recommendation_updates
    QUALIFY row_number() OVER (PARTITION BY rec_no, owner_code
                               ORDER BY updated_on DESC, source_rank, row_key DESC) = 1
), owner_target AS (
    SELECT rec_no, owner_code, target_date FROM core.recommendation_updates
    WHERE target_date IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY rec_no, owner_code
                               ORDER BY updated_on DESC, source_rank, row_key DESC) = 1
), s AS (
    SELECT o.rec_no, r.title, o.owner_code, o.owner_kind, o.owner_rule,
           coalesce(l.status, 'no_return') AS status,
           coalesce(t.target_date, r.default_due_date) AS target_date,
           CASE WHEN t.target_date IS NOT NULL THEN 'owner' ELSE 'default' END AS target_source,
           r.default_due_date, a.as_at,
           l.updated_on AS last_updated_on, l.evidence, l.source AS last_update_source
    FROM ref.recommendation_owners o
    JOIN ref.recommendations r ON r.rec_no = o.rec_no
    LEFT JOIN latest l ON l.rec_no = o.rec_no AND l.owner_code = o.owner_code
    LEFT JOIN owner_target t ON t.rec_no = o.rec_no AND t.owner_code = o.owner_code
    CROSS JOIN as_of a
)
SELECT rec_no, title, owner_code, owner_kind, owner_rule, status, target_date, target_source,
       default_due_date, as_at, rag = '{overdue}' AS overdue, rag,
       last_updated_on, evidence, last_update_source
FROM (SELECT *, {rag} AS rag FROM s)
ORDER BY rec_no, owner_code;
