//! Passkeys: added with the password, signing in without it, refused when the signature, the challenge, the
//! counter or the account is wrong; one authenticator's key opens one account. The browser's side is played by a
//! software authenticator written here from the WebAuthn spec (ES256, "none" attestation, CBOR by serde_cbor_2,
//! P-256 by the RustCrypto `p256` crate), not by the library under test. Each test runs on SQLite and PostgreSQL.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::passkeys::{self, RelyingParty};
use domain::accounts::{self, two_factor, AccountError, ThrottlePolicy};
use domain::Db;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_cbor_2::Value;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db_tests;
use crate::harness::actors;

const SHOP: &str = "https://shop.example.com";
const PASSWORD: &str = "correct horse battery";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).expect("base64url")
}

/// Step one of adding a passkey with `password` (no two-factor code).
async fn start(db: &Db, party: &RelyingParty, user_id: i64, password: &str) -> Result<passkeys::Started, AccountError> {
    let proof = passkeys::Proof { password, code: "" };
    passkeys::start_adding(db, party, &ThrottlePolicy::default(), user_id, proof).await
}

fn party() -> RelyingParty {
    RelyingParty::new(SHOP).expect("relying party")
}

/// A passkey on a device, as the WebAuthn spec's authenticator model describes one.
struct Authenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    counter: u32,
    user_handle: Vec<u8>,
    origin: String,
    /// Sets the "user verified" flag (a fingerprint, a face, a PIN was checked).
    verifies_user: bool,
    /// Signs for this relying party id instead of the one the options name.
    rp_id: Option<String>,
    /// Whether it keeps the passkey itself (reported through the credProps extension).
    keeps_passkey: bool,
}

impl Authenticator {
    fn new() -> Authenticator {
        Authenticator {
            key: SigningKey::from_slice(&rand::random::<[u8; 32]>()).expect("key"),
            credential_id: rand::random::<[u8; 16]>().to_vec(),
            counter: 0,
            user_handle: Vec::new(),
            origin: SHOP.to_string(),
            verifies_user: true,
            rp_id: None,
            keeps_passkey: true,
        }
    }

    fn flags(&self, attested: bool) -> u8 {
        0x01 | if self.verifies_user { 0x04 } else { 0 } | if attested { 0x40 } else { 0 }
    }

    fn rp_hash(&self, named: &str) -> Vec<u8> {
        Sha256::digest(self.rp_id.as_deref().unwrap_or(named).as_bytes()).to_vec()
    }

    /// The same credential id with another private key: a forged copy.
    fn forged_copy(&self) -> Authenticator {
        Authenticator {
            credential_id: self.credential_id.clone(),
            user_handle: self.user_handle.clone(),
            counter: self.counter,
            ..Authenticator::new()
        }
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_sec1_point(false);
        let bytes = point.as_bytes();
        let map: BTreeMap<Value, Value> = [
            (Value::Integer(1), Value::Integer(2)),
            (Value::Integer(3), Value::Integer(-7)),
            (Value::Integer(-1), Value::Integer(1)),
            (Value::Integer(-2), Value::Bytes(bytes[1..33].to_vec())),
            (Value::Integer(-3), Value::Bytes(bytes[33..65].to_vec())),
        ]
        .into_iter()
        .collect();
        serde_cbor_2::to_vec(&Value::Map(map)).expect("cbor")
    }

    /// `navigator.credentials.create` answered: the JSON `passkeys.js` sends.
    fn create(&mut self, options: &str) -> String {
        let options: serde_json::Value = serde_json::from_str(options).expect("options");
        let pk = &options["publicKey"];
        self.user_handle = unb64(pk["user"]["id"].as_str().expect("user id"));
        let mut auth_data = self.rp_hash(pk["rp"]["id"].as_str().expect("rp id"));
        auth_data.push(self.flags(true)); // user present, user verified, attested credential data
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend(u16::try_from(self.credential_id.len()).expect("length").to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(self.cose_key());
        let attestation: BTreeMap<Value, Value> = [
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(BTreeMap::new())),
            (Value::Text("authData".into()), Value::Bytes(auth_data)),
        ]
        .into_iter()
        .collect();
        let client_data = self.client_data("webauthn.create", pk["challenge"].as_str().expect("challenge"));
        json!({
            "id": b64(&self.credential_id), "rawId": b64(&self.credential_id), "type": "public-key",
            "response": {
                "attestationObject": b64(&serde_cbor_2::to_vec(&Value::Map(attestation)).expect("cbor")),
                "clientDataJSON": b64(&client_data),
            },
            "extensions": {"credProps": {"rk": self.keeps_passkey}},
        })
        .to_string()
    }

    /// `navigator.credentials.get` answered.
    fn get(&mut self, options: &str) -> String {
        let options: serde_json::Value = serde_json::from_str(options).expect("options");
        let pk = &options["publicKey"];
        self.counter += 1;
        let mut auth_data = self.rp_hash(pk["rpId"].as_str().expect("rp id"));
        auth_data.push(self.flags(false));
        auth_data.extend(self.counter.to_be_bytes());
        let client_data = self.client_data("webauthn.get", pk["challenge"].as_str().expect("challenge"));
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id), "rawId": b64(&self.credential_id), "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "extensions": {},
        })
        .to_string()
    }
}

fn refused(result: Result<accounts::User, AccountError>) -> String {
    match result {
        Err(AccountError::Invalid(fields)) => fields[0].message.clone(),
        other => panic!("not refused with a message: {:?}", other.map(|u| u.id)),
    }
}

/// Account `user_id` adds `device` as a passkey named `name`.
async fn add(db: &Db, party: &RelyingParty, user_id: i64, device: &mut Authenticator, name: &str) {
    let started = start(db, party, user_id, PASSWORD).await.expect("options");
    let answer = device.create(&started.options);
    passkeys::finish_adding(db, party, user_id, started.pending, name, &answer)
        .await
        .expect("added");
}

async fn sign_in(db: &Db, party: &RelyingParty, device: &mut Authenticator) -> Result<accounts::User, AccountError> {
    let started = passkeys::start_sign_in(party).expect("options");
    let answer = device.get(&started.options);
    passkeys::finish_sign_in(db, party, started.pending, &answer).await
}

async fn a_passkey_added_with_the_password_signs_in_without_it(db: Db) {
    let party = party();
    let (user_id, _) = actors::shopper(&db).await;
    let wrong = start(&db, &party, user_id, "not the password").await;
    assert!(matches!(wrong, Err(AccountError::Invalid(f)) if f[0].field == "password"));

    let mut phone = Authenticator::new();
    let started = start(&db, &party, user_id, PASSWORD).await.expect("options");
    let options: serde_json::Value = serde_json::from_str(&started.options).expect("json");
    assert_eq!(options["publicKey"]["rp"]["id"], "shop.example.com");
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    // The handle the device keeps is random: neither the account's id nor its email.
    let handle = options["publicKey"]["user"]["id"].as_str().expect("handle").to_string();
    assert_ne!(unb64(&handle), user_id.to_be_bytes().to_vec());
    let answer = phone.create(&started.options);
    let bad_name = passkeys::finish_adding(&db, &party, user_id, started.pending, "a\u{0}b", &answer).await;
    assert!(matches!(bad_name, Err(AccountError::Invalid(f)) if f[0].field == "name"));

    add(&db, &party, user_id, &mut phone, "  ").await;
    let listed = passkeys::list(&db, user_id).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Passkey 1", "an empty name is numbered");
    assert_eq!(listed[0].last_used_at, None);

    let user = sign_in(&db, &party, &mut phone).await.expect("signed in");
    assert_eq!(user.id, user_id);
    let second = sign_in(&db, &party, &mut phone).await.expect("signed in again");
    assert_eq!(second.id, user_id);
    let listed = passkeys::list(&db, user_id).await.expect("list");
    assert!(listed[0].last_used_at.is_some());
    // The adding options now exclude the passkey the account holds.
    let again = start(&db, &party, user_id, PASSWORD).await.expect("options");
    let options: serde_json::Value = serde_json::from_str(&again.options).expect("json");
    assert_eq!(
        options["publicKey"]["excludeCredentials"][0]["id"],
        b64(&phone.credential_id)
    );
    assert_eq!(options["publicKey"]["user"]["id"], handle, "one handle per account");
}

async fn forged_signatures_replays_old_counters_and_other_origins_are_refused(db: Db) {
    let party = party();
    let (user_id, _) = actors::shopper(&db).await;
    let mut key = Authenticator::new();
    add(&db, &party, user_id, &mut key, "Security key").await;

    let mut forged = key.forged_copy();
    assert!(refused(sign_in(&db, &party, &mut forged).await).contains("does not open an account"));

    // An answer to one challenge does not answer another.
    let first = passkeys::start_sign_in(&party).expect("options");
    let answer = key.get(&first.options);
    let second = passkeys::start_sign_in(&party).expect("options");
    refused(passkeys::finish_sign_in(&db, &party, second.pending, &answer).await);

    // A copy of the key whose counter is behind the real one's (a cloned authenticator).
    sign_in(&db, &party, &mut key).await.expect("the real key");
    let mut clone = Authenticator {
        key: key.key.clone(),
        credential_id: key.credential_id.clone(),
        user_handle: key.user_handle.clone(),
        counter: 0,
        ..Authenticator::new()
    };
    refused(sign_in(&db, &party, &mut clone).await);

    // A page elsewhere (a phishing site relaying the challenge) signs its own origin.
    key.origin = "https://shop-example.evil".into();
    refused(sign_in(&db, &party, &mut key).await);
    key.origin = SHOP.into();

    // Not JSON, or far too large.
    let started = passkeys::start_sign_in(&party).expect("options");
    refused(passkeys::finish_sign_in(&db, &party, started.pending, "{\"id\":\u{0}").await);
    let started = passkeys::start_sign_in(&party).expect("options");
    refused(passkeys::finish_sign_in(&db, &party, started.pending, &"x".repeat(100_000)).await);
    // A sign-in's state does not add a passkey, nor one account's state another's.
    let (other_id, _) = actors::shopper(&db).await;
    let started = passkeys::start_sign_in(&party).expect("options");
    let added = passkeys::finish_adding(&db, &party, user_id, started.pending, "x", "{}").await;
    assert!(matches!(added, Err(AccountError::Invalid(f)) if f[0].message.contains("start again")));
    let started = start(&db, &party, user_id, PASSWORD).await.expect("options");
    let mut device = Authenticator::new();
    let answer = device.create(&started.options);
    let added = passkeys::finish_adding(&db, &party, other_id, started.pending, "x", &answer).await;
    assert!(matches!(added, Err(AccountError::Invalid(f)) if f[0].message.contains("start again")));
}

async fn removed_passkeys_and_disabled_or_erased_accounts_do_not_sign_in(db: Db) {
    let party = party();
    let (user_id, _) = actors::shopper(&db).await;
    let (other_id, other) = actors::shopper(&db).await;
    let mut phone = Authenticator::new();
    let mut laptop = Authenticator::new();
    add(&db, &party, user_id, &mut phone, "Phone").await;
    add(&db, &party, user_id, &mut laptop, "Laptop").await;
    let listed = passkeys::list(&db, user_id).await.expect("list");
    let phone_id = listed.iter().find(|p| p.name == "Phone").expect("phone").id;
    // Another account cannot remove it.
    assert!(matches!(
        passkeys::remove(&db, other_id, phone_id).await,
        Err(AccountError::NotFound)
    ));
    passkeys::remove(&db, user_id, phone_id).await.expect("removed");
    assert!(refused(sign_in(&db, &party, &mut phone).await).contains("does not open an account"));
    sign_in(&db, &party, &mut laptop)
        .await
        .expect("the other passkey still works");

    sqlx::query("UPDATE users SET disabled_at = 1 WHERE id = $1")
        .bind(user_id)
        .execute(db.pool())
        .await
        .expect("disable");
    refused(sign_in(&db, &party, &mut laptop).await);

    let mut tablet = Authenticator::new();
    add(&db, &party, other_id, &mut tablet, "Tablet").await;
    domain::workflows::account_data::erase(
        &db,
        &other,
        &domain::workflows::account_data::Erasure {
            password: PASSWORD.into(),
            understood: true,
        },
    )
    .await
    .expect("erased");
    refused(sign_in(&db, &party, &mut tablet).await);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkey_users WHERE user_id = $1")
        .bind(other_id)
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(left, 0, "erasure drops the handle too");
}

async fn one_key_added_to_two_accounts_at_once_opens_one(db: Db) {
    let party = party();
    let (first, _) = actors::shopper(&db).await;
    let (second, _) = actors::shopper(&db).await;
    let mut key = Authenticator::new();
    let a = start(&db, &party, first, PASSWORD).await.expect("options");
    let b = start(&db, &party, second, PASSWORD).await.expect("options");
    let answer_a = key.create(&a.options);
    let answer_b = key.create(&b.options);
    let (ra, rb) = tokio::join!(
        passkeys::finish_adding(&db, &party, first, a.pending, "Key", &answer_a),
        passkeys::finish_adding(&db, &party, second, b.pending, "Key", &answer_b),
    );
    assert_eq!(
        u8::from(ra.is_ok()) + u8::from(rb.is_ok()),
        1,
        "exactly one account holds it: {ra:?} {rb:?}"
    );
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(held, 1);
}

async fn unverified_users_other_hosts_swapped_handles_and_keys_kept_nowhere_are_refused(db: Db) {
    let party = party();
    let (first, _) = actors::shopper(&db).await;
    let (second, _) = actors::shopper(&db).await;
    let mut key = Authenticator::new();
    add(&db, &party, first, &mut key, "Key").await;
    let mut other = Authenticator::new();
    add(&db, &party, second, &mut other, "Other").await;

    key.verifies_user = false;
    refused(sign_in(&db, &party, &mut key).await);
    key.verifies_user = true;
    key.rp_id = Some("shop.example.com.evil".into());
    refused(sign_in(&db, &party, &mut key).await);
    key.rp_id = None;
    // The first account's credential presented with the second account's handle.
    let own_handle = std::mem::replace(&mut key.user_handle, other.user_handle.clone());
    assert!(refused(sign_in(&db, &party, &mut key).await).contains("does not open an account"));
    key.user_handle = own_handle;
    assert_eq!(sign_in(&db, &party, &mut key).await.expect("signed in").id, first);

    // Adding: a device that did not verify its user, or one that keeps the passkey nowhere.
    for device in [
        Authenticator {
            verifies_user: false,
            ..Authenticator::new()
        },
        Authenticator {
            keeps_passkey: false,
            ..Authenticator::new()
        },
    ] {
        let mut device = device;
        let started = start(&db, &party, first, PASSWORD).await.expect("options");
        let answer = device.create(&started.options);
        let added = passkeys::finish_adding(&db, &party, first, started.pending, "x", &answer).await;
        assert!(matches!(added, Err(AccountError::Invalid(_))), "{added:?}");
    }
    assert_eq!(passkeys::list(&db, first).await.expect("list").len(), 1);
}

async fn an_account_with_two_factor_gives_a_code_to_add_one_and_its_owner_is_mailed(db: Db) {
    let party = party();
    let (user_id, _) = actors::shopper(&db).await;
    let setup = two_factor::setup(&db, user_id).await.expect("setup");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let code = two_factor::code_at(&setup.secret, now).expect("code");
    two_factor::enable(&db, user_id, &code, None).await.expect("on");
    let without = start(&db, &party, user_id, PASSWORD).await;
    assert!(matches!(without, Err(AccountError::Invalid(f)) if f[0].field == "code"));
    let next = two_factor::code_at(&setup.secret, now + 30).expect("code");
    let proof = passkeys::Proof {
        password: PASSWORD,
        code: &next,
    };
    let started = passkeys::start_adding(&db, &party, &ThrottlePolicy::default(), user_id, proof)
        .await
        .expect("options");
    let mut phone = Authenticator::new();
    let answer = phone.create(&started.options);
    passkeys::finish_adding(&db, &party, user_id, started.pending, "Phone", &answer)
        .await
        .expect("added");
    let mailed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE subject = 'A passkey was added to your Bazaar account' \
         AND to_addr = (SELECT email FROM users WHERE id = $1)",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await
    .expect("count");
    assert_eq!(mailed, 1);
    // Wrong passwords count as at the login.
    for _ in 0..6 {
        let _ = start(&db, &party, user_id, "wrong").await;
    }
    assert!(matches!(
        start(&db, &party, user_id, PASSWORD).await,
        Err(AccountError::Throttled { .. })
    ));
}

db_tests!(
    unverified_users_other_hosts_swapped_handles_and_keys_kept_nowhere_are_refused,
    an_account_with_two_factor_gives_a_code_to_add_one_and_its_owner_is_mailed,
    a_passkey_added_with_the_password_signs_in_without_it,
    forged_signatures_replays_old_counters_and_other_origins_are_refused,
    removed_passkeys_and_disabled_or_erased_accounts_do_not_sign_in,
    one_key_added_to_two_accounts_at_once_opens_one,
);
