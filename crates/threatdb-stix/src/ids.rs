//! Deterministic STIX ids (stix-taxii.md §3): UUIDv5 over threatdb's namespace and a name made
//! of the object's natural key, then shaped as a UUIDv4 (version nibble 4, RFC 4122 variant),
//! because the OASIS validator's strict mode accepts only version 4 in SDO and SRO ids.

use sha1::{Digest, Sha1};
use uuid::Uuid;

/// threatdb's id namespace.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x8454b616_a683_4da8_9cd3_ac26b1e75412);

/// The UUID derived from `name`: stable for a name, shaped as version 4.
pub fn derived_uuid(name: &str) -> Uuid {
    let mut hash = Sha1::new();
    hash.update(NAMESPACE.as_bytes());
    hash.update(name.as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
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

#[cfg(test)]
mod tests {
    use super::*;

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
