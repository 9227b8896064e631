-- Reference data, reloaded from scorecard/reference/data on every migrate/refresh.
CREATE TABLE ref.regions (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE ref.forces (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    region VARCHAR NOT NULL,
    local_policing_body VARCHAR NOT NULL,
    lpb_type VARCHAR NOT NULL,
    population_k INTEGER NOT NULL
);
CREATE TABLE ref.cps_areas (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE ref.force_area_map (
    force_code VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    share DOUBLE NOT NULL,
    PRIMARY KEY (force_code, area_code)
);
CREATE TABLE ref.national_bodies (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE ref.offence_codes (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE ref.outcome_types (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, "group" VARCHAR NOT NULL);
CREATE TABLE ref.published_series (
    series_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    financial_year VARCHAR NOT NULL,
    value BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (series_id, financial_year)
);
CREATE TABLE ref.inspection_case_files (
    figure_id VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    base VARCHAR
);
CREATE TABLE ref.recommendations (
    rec_no INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    due_rule VARCHAR NOT NULL,
    default_due_date DATE NOT NULL
);
-- Owner rules expanded to one row per owning organisation.
CREATE TABLE ref.recommendation_owners (
    rec_no INTEGER NOT NULL,
    owner_code VARCHAR NOT NULL,
    owner_kind VARCHAR NOT NULL,
    owner_rule VARCHAR NOT NULL,
    PRIMARY KEY (rec_no, owner_code)
);
CREATE TABLE ref.recommendation_evidence (
    rec_no INTEGER NOT NULL,
    metric_id VARCHAR NOT NULL,
    PRIMARY KEY (rec_no, metric_id)
);
-- Every organisation in one place, for joins that do not care about kind.
CREATE VIEW ref.organisations AS
    SELECT code, name, 'force' AS kind FROM ref.forces
    UNION ALL SELECT code, name, 'cps_area' FROM ref.cps_areas
    UNION ALL SELECT code, name, 'national' FROM ref.national_bodies;
