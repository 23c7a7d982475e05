//! Deterministic STIX ids (stix-taxii.md §3): UUIDv5 over threatdb's namespace and a name made
//! of the object's natural key, then shaped as a UUIDv4 (version nibble 4, RFC 4122 variant),
//! because the OASIS validator's strict mode accepts only version 4 in SDO and SRO ids.
//!
//! The STIX id of every object the store keeps is a function of what the object's row holds
//! ([`incident_id`], [`item_id`], [`indicator_id`]); the store keeps the first 64 bits of its
//! UUID ([`key`]) in an index so that an id can be looked up (the id itself cannot be reversed).

use crate::{IndicatorKind, ItemKind};
use sha1::{Digest, Sha1};
use uuid::Uuid;

/// threatdb's id namespace.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x8454b616_a683_4da8_9cd3_ac26b1e75412);

/// The UUID derived from `name`: stable for a name, shaped as version 4.
pub fn derived_uuid(name: &str) -> Uuid {
    let mut hash = Sha1::new();
    hash.update(NAMESPACE.as_bytes());
    hash.update(name.as_bytes());
    let digest: [u8; 20] = hash.finalize().into();
    let mut bytes = [0u8; 16];
    for (b, d) in bytes.iter_mut().zip(digest) {
        *b = d;
    }
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | 0x40;
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    Uuid::from_bytes(bytes)
}

/// The parts of a natural key joined with `|`, a `|` or a backslash inside a part escaped with a
/// backslash (so owner `A|B` with xid `x` and owner `A` with xid `B|x` differ; a name without either
/// character is the spec's plain join).
fn key_name(parts: &[&str]) -> String {
    let mut out = String::new();
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            out.push('|');
        }
        for c in part.chars() {
            if c == '|' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// `{stix_type}--{uuid}` derived from the parts of a natural key (see [`key_name`]).
pub fn derived_id(stix_type: &str, parts: &[&str]) -> String {
    format!("{stix_type}--{}", derived_uuid(&key_name(parts)))
}

/// `id` when it is a STIX id of `stix_type` (`{stix_type}--{uuid}`), as stored in an imported
/// object's xid.
pub fn stored<'a>(stix_type: &str, id: &'a str) -> Option<&'a str> {
    let uuid = id.strip_prefix(stix_type)?.strip_prefix("--")?;
    canonical(uuid).map(|_| id)
}

/// A UUID in its canonical form only (36 characters, hyphens, lower case), as STIX writes it.
fn canonical(uuid: &str) -> Option<Uuid> {
    let parsed = Uuid::try_parse(uuid).ok()?;
    (parsed.hyphenated().to_string() == uuid).then_some(parsed)
}

/// The UUID of a STIX id (`type--uuid`), if it is one.
pub fn uuid_of(id: &str) -> Option<Uuid> {
    let (_, uuid) = id.split_once("--")?;
    canonical(uuid)
}

/// The identity of an owner (`identity|{owner name}`).
pub fn owner_identity(owner_name: &str) -> String {
    derived_id("identity", &["identity", owner_name])
}

/// The TAXII collection of an owner: the bare UUID (`collection|{owner name}`).
pub fn collection(owner_name: &str) -> Uuid {
    derived_uuid(&key_name(&["collection", owner_name]))
}

/// The 64-bit look-up key of a STIX id: the first 8 bytes of its UUID, big-endian. Two ids
/// may share a key (rarely): whoever looks one up compares the whole id of what it finds.
pub fn key(id: &str) -> Option<i64> {
    Some(uuid_key(uuid_of(id)?))
}

/// The STIX type a group kind is exported as, or `None` when STIX 2.1 has no object for it
/// (events, threats, documents, emails, signatures, tactics and tasks are left out of an
/// export and counted in its summary: DECISIONS 79).
pub fn item_type(kind: ItemKind) -> Option<&'static str> {
    Some(match kind {
        ItemKind::Adversary => "threat-actor",
        ItemKind::Campaign => "campaign",
        ItemKind::IntrusionSet => "intrusion-set",
        ItemKind::Malware => "malware",
        ItemKind::Tool => "tool",
        ItemKind::AttackPattern => "attack-pattern",
        ItemKind::Vulnerability => "vulnerability",
        ItemKind::CourseOfAction => "course-of-action",
        ItemKind::Report => "report",
        ItemKind::Victim => "identity",
        ItemKind::Document
        | ItemKind::Email
        | ItemKind::Event
        | ItemKind::Signature
        | ItemKind::Threat
        | ItemKind::Tactic
        | ItemKind::Task => return None,
    })
}

/// The STIX id of the incident of `owner` whose xid is `xid`: the xid itself when it is an
/// incident's STIX id (it was imported with it, stix-taxii.md §3), else derived
/// (`incident|{owner}|{xid}`).
pub fn incident_id(owner: &str, xid: &str) -> String {
    match stored("incident", xid) {
        Some(id) => id.to_string(),
        None => derived_id("incident", &["incident", owner, xid]),
    }
}

/// The STIX id of an item of `kind` in `owner` with this row id and xid, or `None` when STIX
/// has no object for the kind: its xid when that is a STIX id of the type (it was imported
/// with it), else derived from its xid, or its row id when it has none
/// (`{type}|{owner}|{xid or id}`; a victim: `identity|{owner}|victim|{xid or id}`).
pub fn item_id(kind: ItemKind, owner: &str, id: i64, xid: Option<&str>) -> Option<String> {
    let stix_type = item_type(kind)?;
    if let Some(stored) = xid.and_then(|x| stored(stix_type, x)) {
        return Some(stored.to_string());
    }
    let id = id.to_string();
    let key = xid.unwrap_or(&id);
    if kind == ItemKind::Victim {
        return Some(derived_id("identity", &["identity", owner, "victim", key]));
    }
    Some(derived_id(stix_type, &[stix_type, owner, key]))
}

/// The STIX id of an indicator: the one it was imported with (`stored`), else derived
/// (`indicator|{owner}|{type}|{value}`, `type` as v2 names it: `Address`, `Host`, …).
pub fn indicator_id(owner: &str, type_name: &str, value: &str, stored_id: Option<&str>) -> String {
    if let Some(stored) = stored_id.and_then(|x| stored("indicator", x)) {
        return stored.to_string();
    }
    derived_id("indicator", &["indicator", owner, type_name, value])
}

/// The look-up [`key`] of an incident row.
pub fn incident_key(owner: &str, xid: &str) -> Option<i64> {
    match stored("incident", xid) {
        Some(id) => key(id),
        None => Some(uuid_key(derived_uuid(&key_name(&["incident", owner, xid])))),
    }
}

/// The id an item is named by outside threatdb: its STIX id, or for a kind STIX has no object
/// for, an id of the same shape derived the same way from its ThreatConnect type
/// (`{type}--{uuid}`, the type as v2 spells it in its URLs: `events--…`). A tc-json export
/// names a group without an xid by it, so a Batch job finds the group again.
pub fn item_ref(kind: ItemKind, owner: &str, id: i64, xid: Option<&str>) -> String {
    if let Some(stix) = item_id(kind, owner, id, xid) {
        return stix;
    }
    let name = kind.url_name();
    if let Some(stored) = xid.and_then(|x| stored(name, x)) {
        return stored.to_string();
    }
    let id = id.to_string();
    derived_id(name, &[name, owner, xid.unwrap_or(&id)])
}

/// The look-up [`key`] of an item row (of its [`item_ref`]).
pub fn item_key(kind: ItemKind, owner: &str, id: i64, xid: Option<&str>) -> Option<i64> {
    key(&item_ref(kind, owner, id, xid))
}

/// The look-up [`key`] of an indicator row: the key of [`indicator_id`], computed from the
/// derived UUID without writing the id out (it runs for every indicator a feed writes).
pub fn indicator_key(
    owner: &str,
    kind: IndicatorKind,
    value: &str,
    stored_id: Option<&str>,
) -> Option<i64> {
    if let Some(stored) = stored_id.and_then(|x| stored("indicator", x)) {
        return key(stored);
    }
    Some(uuid_key(derived_uuid(&key_name(&[
        "indicator",
        owner,
        kind.type_name(),
        value,
    ]))))
}

/// The look-up key of a UUID (see [`key`]).
fn uuid_key(uuid: Uuid) -> i64 {
    let (high, _) = uuid.as_u64_pair();
    i64::from_be_bytes(high.to_be_bytes())
}

/// The tables whose rows keep a STIX look-up key, with the three text columns of a row (of
/// alias `t`) that [`row_key`] reads after its id and its owner's name.
pub const KEYED_TABLES: [(&str, &str); 3] = [
    ("incidents", "t.xid, CAST(NULL AS TEXT), CAST(NULL AS TEXT)"),
    ("items", "t.xid, t.kind, CAST(NULL AS TEXT)"),
    ("indicators", "t.stix_id, t.kind, t.value"),
];

/// The id of a row of one of [`KEYED_TABLES`] (an item's [`item_ref`]), from its id, its
/// owner's name and the three columns named there.
pub fn row_id(table: &str, id: i64, owner: &str, columns: [Option<&str>; 3]) -> Option<String> {
    let [first, kind, value] = columns;
    match table {
        "incidents" => Some(incident_id(owner, first.unwrap_or_default())),
        "items" => Some(item_ref(ItemKind::from_url(kind?)?, owner, id, first)),
        "indicators" => Some(indicator_id(
            owner,
            IndicatorKind::from_url(kind?)?.type_name(),
            value?,
            first,
        )),
        _ => None,
    }
}

/// The look-up key of a row of one of [`KEYED_TABLES`] (see [`row_id`]), for a migration that
/// fills the keys of rows written before.
pub fn row_key(table: &str, id: i64, owner: &str, columns: [Option<&str>; 3]) -> Option<i64> {
    key(&row_id(table, id, owner, columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_keys_of_the_ids() {
        for (owner, value) in [("Acme", "a.example"), ("A|B", "x\\|y"), ("", "")] {
            assert_eq!(
                indicator_key(owner, IndicatorKind::Host, value, None),
                key(&indicator_id(owner, "Host", value, None))
            );
            assert_eq!(incident_key(owner, value), key(&incident_id(owner, value)));
        }
        let stored = "indicator--01020304-aaaa-4bbb-8ccc-dddddddddddd";
        assert_eq!(
            indicator_key("Acme", IndicatorKind::Host, "a.example", Some(stored)),
            key(stored)
        );
        let imported = "incident--01020304-aaaa-4bbb-8ccc-dddddddddddd";
        assert_eq!(incident_key("Acme", imported), key(imported));
    }

    #[test]
    fn a_key_is_the_first_64_bits_of_the_uuid() {
        assert_eq!(
            key("incident--01020304-0506-4708-890a-0b0c0d0e0f10"),
            Some(0x0102_0304_0506_4708)
        );
        assert_eq!(
            key("incident--ff020304-0506-4708-890a-0b0c0d0e0f10").map(i64::is_negative),
            Some(true)
        );
        assert_eq!(key("incident--not-a-uuid"), None);
        assert_eq!(key("incident--01020304-0506-4708-890A-0B0C0D0E0F10"), None);
    }

    #[test]
    fn derived_ids_are_stable_and_shaped_as_version_4() {
        let a = derived_id("incident", &["incident", "Acme", "xid-1"]);
        assert_eq!(a, derived_id("incident", &["incident", "Acme", "xid-1"]));
        assert_ne!(a, derived_id("incident", &["incident", "Acme", "xid-2"]));
        let uuid = Uuid::parse_str(a.trim_start_matches("incident--")).unwrap();
        assert_eq!(uuid.get_version_num(), 4);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
    }

    #[test]
    fn a_separator_inside_a_part_cannot_make_two_keys_one() {
        assert_ne!(
            derived_id("incident", &["incident", "A|B", "x"]),
            derived_id("incident", &["incident", "A", "B|x"])
        );
        assert_ne!(
            derived_id("incident", &["incident", "A\\", "x"]),
            derived_id("incident", &["incident", "A", "\\|x"])
        );
        // Plain names are the spec's plain join.
        assert_eq!(key_name(&["identity", "Acme"]), "identity|Acme");
        assert_eq!(key_name(&["a|b", "c\\"]), "a\\|b|c\\\\");
    }

    #[test]
    fn the_version_nibble_is_the_only_change_from_uuid_v5() {
        // UUIDv5 is the first 16 bytes of SHA-1(namespace, name) with version and variant
        // bits set; ours keeps every other bit of it.
        let mut hash = Sha1::new();
        hash.update(NAMESPACE.as_bytes());
        hash.update(b"identity|Acme");
        let digest = hash.finalize();
        let ours = derived_uuid("identity|Acme");
        let b = ours.as_bytes();
        assert_eq!(b[..6], digest[..6]);
        assert_eq!(b[6] & 0x0f, digest[6] & 0x0f);
        assert_eq!(b[7], digest[7]);
        assert_eq!(b[9..], digest[9..16]);
    }
}
