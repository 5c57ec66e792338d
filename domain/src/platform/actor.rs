//! Who a use case acts for. Every use case that reads or writes on someone's behalf takes an [`Actor`] and checks
//! authorization from it, in the domain, not only in the UI.
//!
//! An `Actor` other than a visitor cannot be made outside this crate: the accounts context builds it from a user
//! row it has just read (a verified session, a sign-in). So no request parameter can make anyone an admin or a
//! store's seller. The domain's own workers and the payment provider's events act as the shop through
//! workflows that need no actor.

/// The kinds of actor, as use cases match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// Signed out: a visitor with a session (their cart, a guest's order link).
    Visitor,
    Shopper {
        user_id: i64,
    },
    /// An account that runs a store.
    Seller {
        user_id: i64,
        store_id: i64,
    },
    Admin {
        user_id: i64,
    },
}

/// Not the actor's to see: each context answers it as its own `NotFound`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotFound;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor(ActorKind, Option<SessionHandle>);

/// The handle of a session: the first 12 bytes of its id's SHA-256, never the id (a session id is a bearer
/// secret). An account's sign-ins list and the audit log name sessions by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionHandle([u8; 12]);

impl SessionHandle {
    pub fn of(session_id: &str) -> SessionHandle {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(session_id.as_bytes());
        let mut bytes = [0u8; 12];
        bytes.copy_from_slice(&digest[..12]);
        SessionHandle(bytes)
    }

    /// As 24 hex digits.
    pub fn as_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl Actor {
    /// A signed-out visitor: anyone may claim to be one.
    pub fn visitor() -> Actor {
        Actor(ActorKind::Visitor, None)
    }

    /// Only the accounts context makes signed-in actors, from a user row it read.
    pub(crate) fn from_kind(kind: ActorKind) -> Actor {
        Actor(kind, None)
    }

    /// The same actor, acting from session `session_id` (what the audit log records it came from).
    pub fn in_session(self, session_id: &str) -> Actor {
        Actor(self.0, Some(SessionHandle::of(session_id)))
    }

    /// The session the actor acts from, when the request had one.
    pub fn session(&self) -> Option<SessionHandle> {
        self.1
    }

    pub fn kind(&self) -> ActorKind {
        self.0
    }

    /// The signed-in account, if any.
    pub fn user_id(&self) -> Option<i64> {
        match self.0 {
            ActorKind::Shopper { user_id } | ActorKind::Seller { user_id, .. } | ActorKind::Admin { user_id } => {
                Some(user_id)
            }
            ActorKind::Visitor => None,
        }
    }

    /// The store of a seller screen's use case: the one check every seller portal query is scoped by. Only the
    /// store's seller has one (an admin acts on stores through the admin UI, never as their seller); anyone else
    /// gets `NotFound`, the same answer as for an id that is not theirs.
    pub fn own_store(&self) -> Result<i64, NotFound> {
        self.store_id().ok_or(NotFound)
    }

    /// The store a seller runs, if the actor is a seller.
    pub fn store_id(&self) -> Option<i64> {
        match self.0 {
            ActorKind::Seller { store_id, .. } => Some(store_id),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self.0, ActorKind::Admin { .. })
    }

    /// Whether this actor may act on a store's orders and codes: its seller, or an admin (from the admin screens).
    /// Seller screens use [`Actor::own_store`] instead. The shop's own workers act without an actor.
    pub fn may_manage_store(&self, store_id: i64) -> bool {
        match self.0 {
            ActorKind::Seller { store_id: own, .. } => own == store_id,
            ActorKind::Admin { .. } => true,
            ActorKind::Shopper { .. } | ActorKind::Visitor => false,
        }
    }

    /// The name a timeline gives whoever did something.
    pub fn described(&self) -> &'static str {
        match self.0 {
            ActorKind::Visitor | ActorKind::Shopper { .. } => "the shopper",
            ActorKind::Seller { .. } => "the seller",
            ActorKind::Admin { .. } => "an administrator",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seller_manages_only_their_own_store() {
        let seller = Actor::from_kind(ActorKind::Seller {
            user_id: 1,
            store_id: 7,
        });
        assert!(seller.may_manage_store(7));
        assert!(!seller.may_manage_store(8));
        assert!(!Actor::visitor().may_manage_store(7));
        assert!(!Actor::from_kind(ActorKind::Shopper { user_id: 1 }).may_manage_store(7));
        assert!(Actor::from_kind(ActorKind::Admin { user_id: 2 }).may_manage_store(8));
    }
}
