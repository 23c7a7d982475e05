//! Owners (organizations, communities, sources), roles, and the actor a request runs as.

use crate::Invalid;
use std::fmt;

/// What kind of owner this is, as ThreatConnect names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OwnerKind {
    /// An organization: API users belong to one as their default owner.
    Organization,
    /// A community shared by several organizations.
    Community,
    /// A source: a feed of intelligence.
    Source,
}

impl OwnerKind {
    /// The wire spelling (`Organization`, `Community`, `Source`).
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Organization => "Organization",
            OwnerKind::Community => "Community",
            OwnerKind::Source => "Source",
        }
    }

    /// Parses a kind case-insensitively (`organization`, `Community`, `SOURCE`; `org` too).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim().to_ascii_lowercase().as_str() {
            "organization" | "org" => Ok(OwnerKind::Organization),
            "community" => Ok(OwnerKind::Community),
            "source" => Ok(OwnerKind::Source),
            _ => Err(Invalid::new(format!(
                "unknown owner type '{s}': use Organization, Community or Source"
            ))),
        }
    }
}

impl fmt::Display for OwnerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An owner of intelligence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Database id.
    pub id: i64,
    /// Unique name (unique case-insensitively).
    pub name: String,
    /// Organization, community or source.
    pub kind: OwnerKind,
}

/// What an API user may do in an owner. Ordered: each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Read everything in the owner.
    Read,
    /// Read, create, change and delete incidents and their metadata.
    Write,
    /// Write, and manage the owner's own settings (custom security labels).
    Admin,
}

impl Role {
    /// The stored spelling (`read`, `write`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }

    /// Parses `read`, `write` or `admin` (case-insensitively).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Role::Read),
            "write" => Ok(Role::Write),
            "admin" => Ok(Role::Admin),
            _ => Err(Invalid::new(format!(
                "unknown role '{s}': use read, write or admin"
            ))),
        }
    }
}

/// An owner the actor belongs to, with the role it has there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The owner.
    pub owner: Owner,
    /// The actor's role in it.
    pub role: Role,
}

/// Who a request runs as: an authenticated API user with its memberships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The API user's id.
    pub user_id: i64,
    /// The display name recorded as `createdBy`.
    pub name: String,
    /// The user's organization: the owner used when a request names none.
    pub default_owner: Owner,
    /// Every owner the user is a member of (the default one included).
    pub memberships: Vec<Membership>,
}

impl Actor {
    /// The actor's role in `owner_id`, if it is a member.
    pub fn role_in(&self, owner_id: i64) -> Option<Role> {
        self.memberships
            .iter()
            .find(|m| m.owner.id == owner_id)
            .map(|m| m.role)
    }

    /// Resolves an `owner=` name among the actor's owners: exact match first, then case-insensitive.
    /// `None` means the actor's default organization. An owner the actor is not a member of is
    /// indistinguishable from one that does not exist.
    pub fn resolve_owner(&self, name: Option<&str>) -> Option<&Owner> {
        let Some(name) = name else {
            return Some(&self.default_owner);
        };
        let name = name.trim();
        self.memberships
            .iter()
            .find(|m| m.owner.name == name)
            .or_else(|| {
                self.memberships
                    .iter()
                    .find(|m| m.owner.name.to_lowercase() == name.to_lowercase())
            })
            .map(|m| &m.owner)
    }
}

/// Checks an owner name given to `admin` commands: trimmed, 1 to 255 characters.
pub fn validate_owner_name(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 || len > 255 {
        return Err(Invalid::new("an owner name must be 1 to 255 characters"));
    }
    crate::reject_control("an owner name", name)?;
    Ok(name.to_string())
}
