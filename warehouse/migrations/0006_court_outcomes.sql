-- Extract contract v1.1: stage three (charge to completion at court), one row per charged
-- case of a CPS Area. urn holds a pseudonym, never the sender's URN.
CREATE TABLE raw.cps_court_outcomes (
    extract_id BIGINT NOT NULL,
    row_no INTEGER NOT NULL,
    urn VARCHAR NOT NULL,
    charge_date DATE NOT NULL,
    first_hearing_date DATE,
    plea VARCHAR,
    trial_start_date DATE,
    ineffective_trials INTEGER NOT NULL,
    completion_date DATE,
    outcome VARCHAR,
    victim_withdrew_after_charge BOOLEAN,
    special_measures BOOLEAN,
    isva_at_trial BOOLEAN
);

-- scorecard/reference/data/court_outcomes.csv: successful = a conviction for any offence.
CREATE TABLE ref.court_outcomes (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    successful BOOLEAN NOT NULL
);
