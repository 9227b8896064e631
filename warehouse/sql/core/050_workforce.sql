-- Workforce returns from current extracts; kind of organisation from the reference data.
CREATE OR REPLACE TEMP TABLE workforce AS
SELECT w.org_code,
       CASE WHEN f.code IS NOT NULL THEN 'force'
            WHEN a.code IS NOT NULL THEN 'cps_area' ELSE 'national' END AS org_kind,
       w.financial_year, w.rasso_investigators_qualified, w.ssaidp_attendance,
       w.detective_vacancies, w.rasso_prosecutors_fte, w.rasso_prosecutor_vacancies,
       w.joint_trauma_training_staff
FROM raw.workforce w
JOIN raw.extracts e ON e.extract_id = w.extract_id AND e.is_current AND e.kind = 'workforce'
LEFT JOIN ref.forces f ON f.code = w.org_code
LEFT JOIN ref.cps_areas a ON a.code = w.org_code;
