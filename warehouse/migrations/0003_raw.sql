-- Raw layer: every extract received, and its rows as sent (typed, identifiers replaced by
-- a keyed hash). Column names follow the extract contract; crime_ref, cps_urn and urn hold
-- pseudonyms, never the sender's identifiers.
CREATE SEQUENCE meta.extract_id_seq START 1;
CREATE TABLE raw.extracts (
    extract_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL,
    org_code VARCHAR NOT NULL,
    as_at DATE NOT NULL,
    file_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,
    row_count BIGINT NOT NULL,
    run_id VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    is_current BOOLEAN NOT NULL,
    warnings JSON
);

CREATE TABLE raw.police_cases (
    extract_id BIGINT NOT NULL,
    row_no INTEGER NOT NULL,
    crime_ref VARCHAR NOT NULL,
    offence_code VARCHAR NOT NULL,
    recorded_date DATE NOT NULL,
    victim_sex VARCHAR NOT NULL,
    victim_age_band VARCHAR NOT NULL,
    victim_ethnicity VARCHAR NOT NULL,
    victim_disability BOOLEAN,
    victim_mental_health BOOLEAN,
    victim_sexual_orientation VARCHAR NOT NULL,
    relationship VARCHAR NOT NULL,
    team_type VARCHAR NOT NULL,
    investigator_trained BOOLEAN,
    victim_supported_at_outset BOOLEAN,
    isva_referral BOOLEAN,
    safeguarding_referral VARCHAR,
    victim_contact_contract BOOLEAN,
    early_advice VARCHAR,
    early_advice_reason VARCHAR,
    first_referral_date DATE,
    cps_urn VARCHAR,
    withdrawal_date DATE,
    withdrawal_stage VARCHAR,
    withdrawal_reason VARCHAR,
    outcome_code VARCHAR,
    outcome_date DATE,
    victim_informed_date DATE,
    vrr_informed BOOLEAN,
    vrr_requested BOOLEAN
);

CREATE TABLE raw.cps_cases (
    extract_id BIGINT NOT NULL,
    row_no INTEGER NOT NULL,
    urn VARCHAR NOT NULL,
    police_force_code VARCHAR NOT NULL,
    crime_ref VARCHAR,
    received_date DATE NOT NULL,
    referral_type VARCHAR NOT NULL,
    file_standard_met BOOLEAN,
    decision VARCHAR NOT NULL,
    decision_date DATE,
    reactivated_date DATE,
    face_to_face_before_nfa BOOLEAN,
    victim_letter_date DATE,
    vrr_requested BOOLEAN,
    vrr_upheld BOOLEAN,
    police_appeal BOOLEAN,
    police_appeal_upheld BOOLEAN
);

CREATE TABLE raw.cps_action_plans (
    extract_id BIGINT NOT NULL,
    row_no INTEGER NOT NULL,
    urn VARCHAR NOT NULL,
    plan_no INTEGER NOT NULL,
    issued_date DATE NOT NULL,
    target_date DATE,
    response_date DATE,
    items INTEGER NOT NULL,
    escalated BOOLEAN
);

CREATE TABLE raw.workforce (
    extract_id BIGINT NOT NULL,
    row_no INTEGER NOT NULL,
    org_code VARCHAR NOT NULL,
    financial_year VARCHAR NOT NULL,
    rasso_investigators_qualified INTEGER,
    ssaidp_attendance INTEGER,
    detective_vacancies INTEGER,
    rasso_prosecutors_fte DOUBLE,
    rasso_prosecutor_vacancies DOUBLE,
    joint_trauma_training_staff INTEGER
);

CREATE TABLE raw.recommendation_updates (
    extract_id BIGINT NOT NULL,
    row_no INTEGER NOT NULL,
    rec_no INTEGER NOT NULL,
    owner_code VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    target_date DATE,
    evidence VARCHAR,
    updated_on DATE NOT NULL
);
