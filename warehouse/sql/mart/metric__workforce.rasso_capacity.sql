-- Forces' returns per financial year (event date = 1 April of the year). Rate: qualified RASSO
-- investigators (num) per 100 offences recorded in the year (den, from temp.cases).
WITH w AS (
    SELECT org_code AS force_code, make_date(CAST(left(financial_year, 4) AS INTEGER), 4, 1)
               AS event_date,
           rasso_investigators_qualified, ssaidp_attendance, detective_vacancies
    FROM temp.workforce
    WHERE org_kind = 'force'
)
SELECT 'ratio' AS kind, '' AS breakdown, 'period' AS basis, event_date, force_code,
       NULL AS area_code, rasso_investigators_qualified AS num, 0 AS den
FROM w WHERE rasso_investigators_qualified IS NOT NULL
UNION ALL
SELECT 'ratio', '', 'period', recorded_date, force_code, NULL, 0, 1
FROM temp.cases
WHERE force_code IN (SELECT force_code FROM w WHERE rasso_investigators_qualified IS NOT NULL)
UNION ALL
SELECT 'count', 'measure=rasso_investigators', 'period', event_date, force_code, NULL,
       rasso_investigators_qualified, 1
FROM w WHERE rasso_investigators_qualified IS NOT NULL
UNION ALL
SELECT 'count', 'measure=ssaidp_attendance', 'period', event_date, force_code, NULL,
       ssaidp_attendance, 1
FROM w WHERE ssaidp_attendance IS NOT NULL
UNION ALL
SELECT 'count', 'measure=detective_vacancies', 'period', event_date, force_code, NULL,
       detective_vacancies, 1
FROM w WHERE detective_vacancies IS NOT NULL
