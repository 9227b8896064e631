-- The pseudonym key's fingerprint: an HMAC of a fixed label under SCORECARD_PSEUDONYM_KEY
-- (never the key). Recorded by the first load; a run under another key is refused
-- (pipelines/ledger.py), because records hashed under two keys never link.
CREATE TABLE IF NOT EXISTS meta.pseudonym_key (
    fingerprint VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
