-- Scans recorded in batches, tracking by corroborated keys, and conflicts between claimed keys.

-- A scan is begun, filled batch by batch (each batch one transaction) and finished. A scan
-- that never finished (the process was killed, the database stayed locked) keeps every batch
-- written; `complete` = 0 marks it. Scans recorded before this migration were one transaction.
ALTER TABLE scans ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;

-- The segment (CIDR) a device was last seen on: a key a device reports (serial, MAC, cert)
-- matches a known device on another address only when the segment agrees too (see track.rs).
ALTER TABLE devices ADD COLUMN segment_key TEXT;
UPDATE devices SET segment_key = (
    SELECT s.segment FROM sightings s WHERE s.device = devices.id ORDER BY s.scan DESC LIMIT 1
);

-- An identifier two devices claim in one scan: two live hosts reporting one serial, or a key
-- that moved to another place with nothing else agreeing (kept as a new device).
CREATE TABLE key_conflicts (
    id     INTEGER PRIMARY KEY,
    scan   INTEGER NOT NULL REFERENCES scans (id),
    device INTEGER NOT NULL REFERENCES devices (id),
    other  INTEGER NOT NULL REFERENCES devices (id),
    key    TEXT    NOT NULL,
    value  TEXT    NOT NULL,
    detail TEXT    NOT NULL,
    UNIQUE (scan, device, other, key)
);
CREATE INDEX key_conflicts_scan ON key_conflicts (scan);
