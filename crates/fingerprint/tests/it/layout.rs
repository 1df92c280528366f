//! The self-test's layout rules (`fingerprints/README.md`, "Where an entry goes" and "Ids"):
//! each rule rejects one bad entry, a well-placed entry passes them all, and an alias resolves
//! to its entry.

use fingerprint::Database;

/// One entry on `header.server` (or `field`), with an example that matches it.
fn entry(id: &str, field: &str, extra: &str) -> String {
    format!(
        r#"
[[fingerprint]]
id = "{id}"
kinds = ["http"]
field = "{field}"
pattern = '^Webs$'
device_class = "camera"
confidence = 0.5
{extra}

[[fingerprint.example]]
value = "Webs"
source = "https://example.org/capture"
"#
    )
}

/// The layout problems the self-test reports for data made of these files.
fn layout_problems(files: &[(&str, String)]) -> Vec<String> {
    let (db, load) = Database::from_files(
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.clone().into_bytes())),
    );
    assert!(load.is_empty(), "{load:?}");
    fingerprint::check::check(&db)
        .into_iter()
        .map(|p| p.to_string())
        .collect()
}

#[track_caller]
fn rejects(files: &[(&str, String)], wanted: &str) {
    let problems = layout_problems(files);
    assert!(
        problems.iter().any(|p| p.contains(wanted)),
        "expected a problem containing {wanted:?}, got {problems:?}"
    );
}

#[test]
fn a_well_placed_entry_passes() {
    let xml = entry("http.acme.model-any", "xml.model", "")
        + &entry(
            "http.acme.serial",
            "xml.serialNumber",
            r#"aliases = ["http.acme-c2.serial"]"#,
        );
    let snmp =
        entry("banner.acme.snmp-sysoid-3902", "banner", "").replace("\"http\"", "\"banner\"");
    let files = [
        (
            "http/server.toml",
            entry("http.acme.server-webs", "header.server", ""),
        ),
        (
            "http/header.toml",
            entry("http.acme.etag", "header.etag", ""),
        ),
        ("http/xml.toml", xml),
        ("banner/snmp.toml", snmp),
        ("multi/models.toml", entry("model.acme.camera", "title", "")),
    ];
    assert_eq!(layout_problems(&files), Vec::<String>::new());
}

#[test]
fn rejects_a_file_outside_a_kind_directory() {
    rejects(
        &[(
            "covered-3.toml",
            entry("http.acme.server-webs", "header.server", ""),
        )],
        "a fingerprint file is `<kind>/<field>.toml`",
    );
    rejects(
        &[(
            "cameras/server.toml",
            entry("http.acme.server-webs", "header.server", ""),
        )],
        "directory `cameras` is not an observation kind",
    );
}

#[test]
fn rejects_an_entry_under_another_kind() {
    rejects(
        &[(
            "rtsp/server.toml",
            entry("rtsp.acme.server-webs", "header.server", ""),
        )],
        "filed under `rtsp/` but its first kind is `http`",
    );
}

#[test]
fn rejects_a_file_not_named_after_the_field() {
    rejects(
        &[(
            "http/title.toml",
            entry("http.acme.server-webs", "header.server", ""),
        )],
        "it goes in `http/server.toml`",
    );
    rejects(
        &[(
            "http/hikvision.toml",
            entry("http.acme.server-webs", "header.server", ""),
        )],
        "is not named after a field",
    );
}

#[test]
fn rejects_a_malformed_id() {
    rejects(
        &[("http/server.toml", entry("http.acme", "header.server", ""))],
        "three dot-separated segments",
    );
    rejects(
        &[(
            "http/server.toml",
            entry("http.acme.kTiandy", "header.server", ""),
        )],
        "lower-case `[a-z0-9-]`",
    );
}

#[test]
fn rejects_an_id_whose_kind_is_not_the_directory() {
    rejects(
        &[(
            "http/server.toml",
            entry("tls.acme.server-webs", "header.server", ""),
        )],
        "id starts with `tls` but the file is under `http/`",
    );
    rejects(
        &[(
            "multi/models.toml",
            entry("models.acme.camera", "title", ""),
        )],
        "under `multi/` an id starts with a kind or `model`",
    );
}

#[test]
fn rejects_a_batch_suffix() {
    rejects(
        &[(
            "http/server.toml",
            entry("http.acme-c3.server-webs", "header.server", ""),
        )],
        "authoring-batch suffix",
    );
    rejects(
        &[(
            "http/server.toml",
            entry("http.acme-x.server-webs", "header.server", ""),
        )],
        "authoring-batch suffix",
    );
    let text = entry("http.acme.server-webs", "header.server", "")
        + &entry("http.acme.server-webs-2", "header.server", "");
    rejects(
        &[("http/server.toml", text)],
        "only differs from http.acme.server-webs by a number",
    );
}

#[test]
fn rejects_an_alias_that_is_live_or_repeated() {
    let text = entry("http.acme.server-webs", "header.server", "")
        + &entry(
            "http.acme.server-goahead",
            "header.server",
            r#"aliases = ["http.acme.server-webs"]"#,
        );
    rejects(
        &[("http/server.toml", text)],
        "alias http.acme.server-webs is a live id",
    );
    let text = entry(
        "http.acme.server-webs",
        "header.server",
        r#"aliases = ["http.acme-c2.webs"]"#,
    ) + &entry(
        "http.acme.server-goahead",
        "header.server",
        r#"aliases = ["http.acme-c2.webs"]"#,
    );
    rejects(
        &[("http/server.toml", text)],
        "alias http.acme-c2.webs is an alias of an earlier entry too",
    );
}

#[test]
fn an_old_id_finds_its_renamed_entry() {
    let db = super::db();
    let fp = db
        .fingerprint("rtsp.hikvision-c2.date-two-spaces")
        .expect("the alias resolves");
    assert_eq!(fp.id, "rtsp.hikvision.date-two-spaces");
    let same = db.fingerprint(&fp.id).expect("the live id resolves");
    assert!(std::ptr::eq(fp, same));
    assert!(db.fingerprint("rtsp.hikvision.no-such-entry").is_none());
}

/// A chip, SDK or web-server vendor is never a device's maker: the self-test rejects a
/// fingerprint that names one as `manufacturer`, and accepts it as a component.
#[test]
fn a_component_maker_is_never_a_manufacturer() {
    let registry = r#"
[[company]]
id = "hisilicon"
name = "HiSilicon"
role = "component"
sources = ["https://example.org/hisilicon"]
"#;
    let maker = entry(
        "http.hisilicon.server",
        "header.server",
        r#"manufacturer = "HiSilicon""#,
    );
    rejects(
        &[
            ("registry/components.toml", registry.to_string()),
            ("http/server.toml", maker),
        ],
        "makes components",
    );
    let part = entry(
        "http.hisilicon.server",
        "header.server",
        "proves = \"component\"\ncomponent = \"HiSilicon\"",
    );
    let problems = layout_problems(&[
        ("registry/components.toml", registry.to_string()),
        ("http/server.toml", part),
    ]);
    assert!(problems.is_empty(), "{problems:?}");
}
