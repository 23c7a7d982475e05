//! The one authorization policy. Every read or write of an incident, its metadata or an owner's
//! catalogue goes through these checks, on the owner of the row actually loaded.

use crate::{Actor, Role};

/// What a request wants to do with an owner's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read incidents, attributes, tags and labels.
    Read,
    /// Create, change or delete them.
    Write,
    /// Manage the owner itself (custom security labels).
    Admin,
}

/// The answer of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// The actor may not even see the owner's data: answer as if the item did not exist.
    Hidden,
    /// The actor may see the data but not do this to it.
    Denied,
}

/// Decides whether `actor` may do `access` on data belonging to `owner_id`.
pub fn decide(actor: &Actor, owner_id: i64, access: Access) -> Decision {
    let Some(role) = actor.role_in(owner_id) else {
        return Decision::Hidden;
    };
    let needed = match access {
        Access::Read => Role::Read,
        Access::Write => Role::Write,
        Access::Admin => Role::Admin,
    };
    if role >= needed {
        Decision::Allow
    } else {
        Decision::Denied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Membership, Owner, OwnerKind};

    fn actor(role: Role) -> Actor {
        let owner = Owner {
            id: 1,
            name: "Org".into(),
            kind: OwnerKind::Organization,
        };
        Actor {
            user_id: 1,
            name: "u".into(),
            default_owner: owner.clone(),
            memberships: vec![Membership { owner, role }],
        }
    }

    #[test]
    fn matrix() {
        use Access::*;
        use Decision::*;
        let cases = [
            (Role::Read, Read, Allow),
            (Role::Read, Write, Denied),
            (Role::Read, Admin, Denied),
            (Role::Write, Read, Allow),
            (Role::Write, Write, Allow),
            (Role::Write, Admin, Denied),
            (Role::Admin, Read, Allow),
            (Role::Admin, Write, Allow),
            (Role::Admin, Admin, Allow),
        ];
        for (role, access, want) in cases {
            assert_eq!(decide(&actor(role), 1, access), want, "{role:?} {access:?}");
            assert_eq!(
                decide(&actor(role), 2, access),
                Hidden,
                "other owner {role:?} {access:?}"
            );
        }
    }
}
