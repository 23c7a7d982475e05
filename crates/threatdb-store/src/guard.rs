//! The one guard. Every operation on an owner's data loads the row it acts on (an incident, an
//! item, an indicator, or the owner itself for creations and lists), and only this module turns
//! that row and the actor into a [`Granted`], after applying [`threatdb_core::policy::decide`]
//! to the row's owner. The functions that change data take a `Granted`: an unchecked write does
//! not compile.

use threatdb_core::policy::{Access, Decision, decide};
use threatdb_core::{Actor, Owner, StoreError, StoreResult};

/// Proof that the actor may do `access` on this value's owner (only this module makes one).
#[derive(Debug, Clone)]
pub struct Granted<T> {
    value: T,
    access: Access,
}

impl<T> Granted<T> {
    /// The value the permission was granted on.
    pub fn get(&self) -> &T {
        &self.value
    }

    /// The value, consuming the proof.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// What was granted.
    pub fn access(&self) -> Access {
        self.access
    }

    /// The same permission on something derived from the value (a row of the same owner).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Granted<U> {
        Granted {
            value: f(self.value),
            access: self.access,
        }
    }
}

/// Whether the actor may do `access` on data of `owner_id`: the policy's answer as an error
/// (Hidden is NotFound, exactly like a missing row; Denied is Forbidden).
fn check(actor: &Actor, owner_id: i64, access: Access) -> StoreResult<()> {
    match decide(actor, owner_id, access) {
        Decision::Allow => Ok(()),
        Decision::Hidden => Err(StoreError::NotFound),
        Decision::Denied => Err(StoreError::Forbidden),
    }
}

/// Grants `access` on `value`, a row loaded from the database, whose owner is `owner_id`.
pub fn grant<T>(actor: &Actor, owner_id: i64, access: Access, value: T) -> StoreResult<Granted<T>> {
    check(actor, owner_id, access)?;
    Ok(Granted { value, access })
}

/// Grants `access` on an owner the request names (creating in it, listing it).
pub fn owner<'o>(
    actor: &Actor,
    owner: &'o Owner,
    access: Access,
) -> StoreResult<Granted<&'o Owner>> {
    grant(actor, owner.id, access, owner)
}

/// Writes need a write grant: a read grant passed by mistake is refused, not trusted.
pub fn for_write<T>(granted: &Granted<T>) -> StoreResult<&T> {
    match granted.access {
        Access::Write | Access::Admin => Ok(&granted.value),
        Access::Read => Err(StoreError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatdb_core::{Membership, OwnerKind, Role};

    #[test]
    fn grants_follow_the_policy() {
        let org = Owner {
            id: 1,
            name: "Org".into(),
            kind: OwnerKind::Organization,
        };
        let reader = Actor {
            user_id: 1,
            name: "r".into(),
            default_owner: org.clone(),
            memberships: vec![Membership {
                owner: org.clone(),
                role: Role::Read,
            }],
        };
        assert!(owner(&reader, &org, Access::Read).is_ok());
        assert_eq!(
            owner(&reader, &org, Access::Write).err(),
            Some(StoreError::Forbidden)
        );
        assert_eq!(
            grant(&reader, 2, Access::Read, ()).err(),
            Some(StoreError::NotFound)
        );
        let read = owner(&reader, &org, Access::Read).expect("read");
        assert_eq!(for_write(&read).err(), Some(StoreError::Forbidden));
    }
}
