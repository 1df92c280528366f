-- The inventory and its history: scans, devices tracked across scans, one sighting per device
-- per scan (where it was, what it was judged to be), and the raw observations of each sighting.

-- One scan or import. `started_unix` orders scans; `day` (YYYY-MM-DD, in the scan's own
-- offset) is the "seen" date of everything in it.
CREATE TABLE scans (
    id           INTEGER PRIMARY KEY,
    started      TEXT    NOT NULL,
    finished     TEXT    NOT NULL,
    started_unix INTEGER NOT NULL,
    day          TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    hosts        INTEGER NOT NULL
);
CREATE INDEX scans_order ON scans (started_unix, id);

-- A device followed across scans; its public id is `dev-<id>`. The keys are the latest known
-- values, normalised (see track.rs), used to recognise it in the next scan.
CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    serial_key  TEXT,
    mac_key     TEXT,
    cert_key    TEXT,
    address_key TEXT,
    last_scan   INTEGER NOT NULL REFERENCES scans (id)
);
CREATE INDEX devices_serial  ON devices (serial_key)  WHERE serial_key  IS NOT NULL;
CREATE INDEX devices_mac     ON devices (mac_key)     WHERE mac_key     IS NOT NULL;
CREATE INDEX devices_cert    ON devices (cert_key)    WHERE cert_key    IS NOT NULL;
CREATE INDEX devices_address ON devices (address_key) WHERE address_key IS NOT NULL;

-- A device as one scan saw it. `identity` is the derived model::Identity with its evidence,
-- as JSON; it is recomputed from the observations below by `reidentify`.
CREATE TABLE sightings (
    id               INTEGER PRIMARY KEY,
    scan             INTEGER NOT NULL REFERENCES scans (id),
    device           INTEGER NOT NULL REFERENCES devices (id),
    address          TEXT,
    mac              TEXT,
    serial           TEXT,
    cert_fingerprint TEXT,
    site             TEXT,
    segment          TEXT,
    segment_role     TEXT,
    install_date     TEXT,
    identity         TEXT    NOT NULL,
    UNIQUE (scan, device)
);
CREATE INDEX sightings_device ON sightings (device);

-- What a device answered, verbatim: `response` holds the bytes as received.
CREATE TABLE observations (
    id             INTEGER PRIMARY KEY,
    sighting       INTEGER NOT NULL REFERENCES sightings (id),
    seq            INTEGER NOT NULL,
    observation_id TEXT    NOT NULL,
    device         TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    address        TEXT,
    port           INTEGER,
    request        TEXT,
    response       BLOB    NOT NULL,
    time           TEXT,
    UNIQUE (sighting, seq)
);
