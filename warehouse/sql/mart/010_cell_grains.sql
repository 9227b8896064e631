-- Stage 1 of every metric, part 1: the fact grains of core.metric_facts with integer keys,
-- ready to be summed to cells per level, organisation, period (financial year and quarter)
-- and basis (015_cells.sql). Levels from the grains' organisation columns: national (all),
-- force (force_code; also serves the joint level), cps_area (area_code), region (the force's
-- police region). Only the levels a metric's catalogue entry allows are built: an
-- organisation key is NULL where the metric has no such level.
-- Speed: the grains' text keys are swapped for small integers (k: metric, kind, breakdown
-- and basis; o: organisation; p: period), so the aggregates and sorts run on narrow integer
-- rows; the text comes back by joins on the (far fewer) cells. Grain keys are never NULL
-- (build_facts checks). A cell is also named by one BIGINT,
-- ((lv * 65536 + o) * 16777216 + k) * 65536 + p with lv 1 national, 2 force, 3 cps_area,
-- 4 region - warehouse/cells.py computes dist cells' means and medians under that name.
CREATE OR REPLACE TEMP TABLE cell_keys AS
SELECT row_number() OVER () AS k, *
FROM (SELECT DISTINCT metric_id, kind, breakdown, basis FROM core.metric_facts);

CREATE OR REPLACE TEMP TABLE cell_periods AS
SELECT row_number() OVER () AS p, period, period_kind
FROM (SELECT DISTINCT fy AS period, 'fy' AS period_kind FROM core.metric_facts
      UNION SELECT DISTINCT quarter, 'quarter' FROM core.metric_facts);

CREATE OR REPLACE TEMP TABLE cell_orgs AS
SELECT row_number() OVER () AS o, org
FROM (SELECT DISTINCT force_code AS org FROM core.metric_facts WHERE force_code IS NOT NULL
      UNION SELECT DISTINCT area_code FROM core.metric_facts WHERE area_code IS NOT NULL
      UNION SELECT DISTINCT region FROM ref.forces WHERE region IS NOT NULL
      UNION SELECT 'national');

CREATE OR REPLACE TEMP TABLE cell_grains AS
SELECT ky.k, ky.kind = 'dist' AS is_dist, pf.p AS fy_p, pq.p AS q_p,
       CASE WHEN list_contains(m.levels, 'force') OR list_contains(m.levels, 'joint')
            THEN ofc.o END AS force_o,
       CASE WHEN list_contains(m.levels, 'cps_area') THEN oar.o END AS area_o,
       CASE WHEN list_contains(m.levels, 'region') THEN ore.o END AS region_o,
       mf.v, mf.s_num, mf.s_den, mf.n
FROM core.metric_facts mf
JOIN cell_keys ky ON ky.metric_id = mf.metric_id AND ky.kind = mf.kind
    AND ky.breakdown = mf.breakdown AND ky.basis = mf.basis
JOIN core.metric_catalogue m ON m.metric_id = mf.metric_id
JOIN cell_periods pf ON pf.period = mf.fy
JOIN cell_periods pq ON pq.period = mf.quarter
LEFT JOIN ref.forces r ON r.code = mf.force_code
LEFT JOIN cell_orgs ofc ON ofc.org = mf.force_code
LEFT JOIN cell_orgs oar ON oar.org = mf.area_code
LEFT JOIN cell_orgs ore ON ore.org = r.region;
