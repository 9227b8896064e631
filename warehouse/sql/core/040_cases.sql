-- The linked cohort: one row per current police record with its CPS referral (if linked)
-- along one timeline: recorded -> withdrawal -> early advice -> referral -> action plans ->
-- CPS decision -> police outcome.
-- police NFA: outcome 14, 15, 16, 18 or 21 where the linked CPS decision is not "nfa"
-- (outcome 15 also records CPS decisions not to charge; those are CPS NFA decisions).
CREATE OR REPLACE TEMP TABLE cases AS
SELECT p.force_code, p.as_at, p.crime_ref, p.offence_code, p.recorded_date,
       p.victim_sex, p.victim_age_band, p.victim_ethnicity, p.victim_disability,
       p.victim_mental_health, p.victim_sexual_orientation, p.relationship, p.team_type,
       p.investigator_trained, p.victim_supported_at_outset, p.isva_referral,
       p.safeguarding_referral, p.victim_contact_contract, p.early_advice,
       p.early_advice_reason, p.withdrawal_date, p.withdrawal_stage, p.withdrawal_reason,
       p.first_referral_date, p.cps_urn,
       p.outcome_code, p.outcome_date, o."group" AS outcome_group,
       p.victim_informed_date, p.vrr_informed, p.vrr_requested,
       l.link_method,
       c.area_code, c.urn AS linked_urn, c.received_date AS cps_received_date,
       c.referral_type AS cps_referral_type, c.decision AS cps_decision,
       c.decision_date AS cps_decision_date, c.plan_count, c.first_plan_date,
       p.outcome_code IN ('14', '15', '16', '18', '21')
           AND coalesce(c.decision, '') <> 'nfa' AS is_police_nfa
FROM core.police_current p
LEFT JOIN temp.case_links l ON l.force_code = p.force_code AND l.crime_ref = p.crime_ref
LEFT JOIN temp.cps_cases c ON c.area_code = l.area_code AND c.urn = l.urn
LEFT JOIN ref.outcome_types o ON o.code = p.outcome_code;
