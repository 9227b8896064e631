-- Layers of the warehouse: meta (ledgers), ref (reference data), raw (extracts as sent,
-- identifiers pseudonymised), core (conformed and linked), mart (metric values).
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;
