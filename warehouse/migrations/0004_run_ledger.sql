-- Run ledger: every refresh, every file it saw, and every file ever accepted or rejected
-- (by checksum), so a run after a run does nothing and analysts can see what happened.
CREATE TABLE meta.runs (
    run_id VARCHAR PRIMARY KEY,
    flow_run_id VARCHAR,
    sources VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL,          -- running | succeeded | partial | failed
    files_new INTEGER NOT NULL DEFAULT 0,
    files_loaded INTEGER NOT NULL DEFAULT 0,
    files_rejected INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    snapshot VARCHAR,
    message VARCHAR
);

CREATE TABLE meta.run_files (
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    checksum VARCHAR,
    kind VARCHAR,
    org_code VARCHAR,
    as_at DATE,
    outcome VARCHAR NOT NULL,         -- loaded | rejected | failed
    extract_id BIGINT,
    row_count BIGINT,
    warnings INTEGER NOT NULL DEFAULT 0,
    rules_failed VARCHAR,             -- comma-separated rule ids (no data values)
    report_path VARCHAR,
    message VARCHAR,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, source, file_name)
);

-- Checksums of every file accepted or rejected: the same bytes again are a no-op.
CREATE TABLE meta.files_seen (
    checksum VARCHAR PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,         -- loaded | rejected
    run_id VARCHAR NOT NULL,
    seen_at TIMESTAMP NOT NULL
);
