use std::collections::HashMap;

use domain::accounts::sessions::{self, SqlSessionStore, USER_ID_KEY};
use domain::accounts::{self, Registration};
use domain::Db;
use time::{Duration, OffsetDateTime};
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::{ExpiredDeletion, SessionStore};

use crate::db_tests;

fn record(user_id: Option<i64>, expires_in: Duration) -> Record {
    let mut data = HashMap::new();
    if let Some(id) = user_id {
        data.insert(USER_ID_KEY.to_string(), serde_json::json!(id));
    }
    data.insert("greeting".to_string(), serde_json::json!("héllo"));
    Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + expires_in,
    }
}

async fn user(db: &Db, email: &str) -> i64 {
    accounts::register(
        db,
        &Registration {
            name: "Session Tester".into(),
            email: email.into(),
            password: "session-tester-pass".into(),
        },
    )
    .await
    .expect("register")
    .id
}

async fn a_saved_session_loads_back_unchanged(db: Db) {
    let store = SqlSessionStore::new(db.clone());
    let mut rec = record(None, Duration::hours(1));
    store.create(&mut rec).await.expect("create");
    let loaded = store.load(&rec.id).await.expect("load").expect("present");
    assert_eq!(loaded.data, rec.data);
    // Millisecond precision is what the table keeps.
    let drift = (loaded.expiry_date - rec.expiry_date).abs();
    assert!(drift < Duration::milliseconds(1), "{drift:?}");

    store.delete(&rec.id).await.expect("delete");
    assert!(store.load(&rec.id).await.expect("load").is_none());
}

async fn an_expired_session_is_not_loaded_and_is_purged(db: Db) {
    let store = SqlSessionStore::new(db.clone());
    let mut old = record(None, Duration::seconds(-5));
    let mut live = record(None, Duration::hours(1));
    store.create(&mut old).await.expect("create");
    store.create(&mut live).await.expect("create");
    assert!(store.load(&old.id).await.expect("load").is_none());
    store.delete_expired().await.expect("purge");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(left, 1);
}

async fn create_never_overwrites_an_existing_session(db: Db) {
    let store = SqlSessionStore::new(db.clone());
    let mut first = record(None, Duration::hours(1));
    store.create(&mut first).await.expect("create");
    let mut clash = record(None, Duration::hours(1));
    clash.id = first.id;
    clash.data.insert("greeting".into(), serde_json::json!("intruder"));
    store.create(&mut clash).await.expect("create");
    assert_ne!(clash.id, first.id, "colliding id was kept");
    let original = store.load(&first.id).await.expect("load").expect("present");
    assert_eq!(original.data["greeting"], serde_json::json!("héllo"));
}

async fn saving_a_signed_in_session_records_its_user(db: Db) {
    let uid = user(&db, "s1@example.com").await;
    let store = SqlSessionStore::new(db.clone());
    let mut rec = record(None, Duration::hours(1));
    store.create(&mut rec).await.expect("create");
    assert_eq!(store.count_for_user(uid).await.expect("count"), 0);
    rec.data.insert(USER_ID_KEY.into(), serde_json::json!(uid));
    store.save(&rec).await.expect("save");
    assert_eq!(store.count_for_user(uid).await.expect("count"), 1);
}

async fn a_password_change_ends_the_users_other_sessions_only(db: Db) {
    let uid = user(&db, "s2@example.com").await;
    let other_uid = user(&db, "s3@example.com").await;
    let store = SqlSessionStore::new(db.clone());
    let mut current = record(Some(uid), Duration::hours(1));
    let mut laptop = record(Some(uid), Duration::hours(1));
    let mut someone_else = record(Some(other_uid), Duration::hours(1));
    for rec in [&mut current, &mut laptop, &mut someone_else] {
        store.create(rec).await.expect("create");
    }
    accounts::change_password(
        &db,
        uid,
        "session-tester-pass",
        "rotated-secret-2026",
        Some(&current.id.to_string()),
    )
    .await
    .expect("change password");
    assert!(
        store.load(&current.id).await.expect("load").is_some(),
        "the session that changed it must survive"
    );
    assert!(
        store.load(&laptop.id).await.expect("load").is_none(),
        "other session survived"
    );
    assert!(
        store.load(&someone_else.id).await.expect("load").is_some(),
        "another user's session ended"
    );
}

async fn logout_everywhere_deletes_every_session_of_the_user(db: Db) {
    let uid = user(&db, "s4@example.com").await;
    let store = SqlSessionStore::new(db.clone());
    for _ in 0..3 {
        store
            .create(&mut record(Some(uid), Duration::hours(1)))
            .await
            .expect("create");
    }
    let mut conn = db.pool().acquire().await.expect("conn");
    let ended = sessions::delete_user_sessions(&mut conn, uid, None)
        .await
        .expect("delete");
    assert_eq!(ended, 3);
    assert_eq!(store.count_for_user(uid).await.expect("count"), 0);
}

async fn stored_data(db: &Db, id: &Id) -> String {
    sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(db.pool())
        .await
        .expect("row")
}

async fn an_unchanged_session_is_not_written_again_and_a_huge_one_is_refused(db: Db) {
    let store = SqlSessionStore::new(db.clone());
    let mut rec = record(None, Duration::hours(1));
    store.create(&mut rec).await.expect("create");
    // Mark the row behind the store's back: a save that writes would overwrite the mark.
    sqlx::query("UPDATE sessions SET data = '{\"marked\":true}' WHERE id = $1")
        .bind(rec.id.to_string())
        .execute(db.pool())
        .await
        .expect("mark");
    rec.expiry_date += Duration::seconds(5);
    store.save(&rec).await.expect("save unchanged");
    assert!(
        stored_data(&db, &rec.id).await.contains("marked"),
        "nothing changed: no write"
    );
    // A real change is written; so is an expiry that moved by more than a minute.
    rec.data.insert("cart_id".into(), serde_json::json!(7));
    store.save(&rec).await.expect("save changed");
    assert!(stored_data(&db, &rec.id).await.contains("cart_id"));
    sqlx::query("UPDATE sessions SET data = '{\"marked\":true}' WHERE id = $1")
        .bind(rec.id.to_string())
        .execute(db.pool())
        .await
        .expect("mark");
    rec.expiry_date += Duration::minutes(5);
    store.save(&rec).await.expect("save later");
    assert!(
        stored_data(&db, &rec.id).await.contains("cart_id"),
        "the sliding expiry is written"
    );

    rec.data.insert(
        "junk".into(),
        serde_json::json!("x".repeat(sessions::MAX_SESSION_BYTES)),
    );
    assert!(store.save(&rec).await.is_err(), "a session over the limit is refused");
    assert!(!stored_data(&db, &rec.id).await.contains("junk"));
}

/// A form sent back to its visitor is kept on the server (a product form outgrows a session) and shown once; one
/// over the limit is not kept; one nobody came back for is purged.
async fn a_kept_form_is_taken_once_and_a_huge_one_is_not_kept(db: Db) {
    use domain::accounts::kept;
    let form = format!("{{\"description\":\"{}\"}}", "é".repeat(40_000));
    assert!(form.len() > sessions::MAX_SESSION_BYTES, "larger than a session may be");
    let id = kept::keep(&db, &form).await.expect("keep").expect("kept");
    assert_eq!(id.len(), 32);
    assert_eq!(
        kept::take(&db, &id).await.expect("take").as_deref(),
        Some(form.as_str())
    );
    assert_eq!(kept::take(&db, &id).await.expect("take again"), None, "once");
    assert_eq!(kept::take(&db, "0123").await.expect("a made-up id"), None);
    assert_eq!(
        kept::keep(&db, &"x".repeat(kept::KEPT_MAX + 1)).await.expect("keep"),
        None
    );
    let old = kept::keep(&db, "{}").await.expect("keep").expect("kept");
    sqlx::query("UPDATE kept_forms SET created_at = created_at - $1 WHERE id = $2")
        .bind(kept::KEPT_FOR_MS + 1)
        .bind(&old)
        .execute(db.pool())
        .await
        .expect("age it");
    assert_eq!(kept::purge_expired(&db).await.expect("purge"), 1);
    assert_eq!(kept::take(&db, &old).await.expect("take"), None);
}

/// A signed-in session of `user_id` from `device`, signed in at `at`.
async fn signed_in(store: &SqlSessionStore, user_id: i64, device: &str, at: i64) -> Record {
    let mut rec = record(Some(user_id), Duration::hours(1));
    rec.data.insert(sessions::DEVICE_KEY.into(), serde_json::json!(device));
    rec.data
        .insert(sessions::SIGNED_IN_AT_KEY.into(), serde_json::json!(at));
    store.create(&mut rec).await.expect("create");
    rec
}

async fn an_account_lists_its_sign_ins_and_ends_one_or_every_other(db: Db) {
    let store = SqlSessionStore::new(db.clone());
    let ada = user(&db, "ada@example.com").await;
    let bob = user(&db, "bob@example.com").await;
    let laptop = signed_in(&store, ada, "Firefox on Linux", 1_000).await;
    let phone = signed_in(&store, ada, "Safari on iPhone", 3_000).await;
    let tablet = signed_in(&store, ada, "Chrome on Android", 2_000).await;
    let bobs = signed_in(&store, bob, "Edge on Windows", 4_000).await;
    let here = laptop.id.to_string();

    let list = sessions::sign_ins(&db, ada, Some(&here)).await.expect("list");
    let seen: Vec<(&str, Option<i64>, bool)> = list
        .iter()
        .map(|s| (s.device.as_str(), s.signed_in_at, s.current))
        .collect();
    assert_eq!(
        seen,
        [
            ("Firefox on Linux", Some(1_000), true),
            ("Safari on iPhone", Some(3_000), false),
            ("Chrome on Android", Some(2_000), false),
        ],
        "this one first, then the newest; never another account's"
    );
    assert!(
        list.iter().all(|s| !s.handle.contains(&here) && s.handle.len() == 24),
        "ids are not shown"
    );

    // Bob's sign-in and Ada's own current one are not ended by handle.
    let bob_handle = sessions::sign_ins(&db, bob, None).await.expect("list")[0]
        .handle
        .clone();
    assert!(!sessions::end_sign_in(&db, ada, &bob_handle, Some(&here))
        .await
        .expect("end"));
    assert!(store.load(&bobs.id).await.expect("load").is_some());
    assert!(!sessions::end_sign_in(&db, ada, &list[0].handle, Some(&here))
        .await
        .expect("end"));
    assert!(sessions::end_sign_in(&db, ada, &list[1].handle, Some(&here))
        .await
        .expect("end"));
    assert!(store.load(&phone.id).await.expect("load").is_none());
    assert!(!sessions::end_sign_in(&db, ada, &list[1].handle, Some(&here))
        .await
        .expect("again"));

    // A request the ended device was making when it was ended saves nothing back.
    let mut late = phone.clone();
    late.expiry_date += Duration::hours(1);
    store.save(&late).await.expect("save");
    assert!(
        store.load(&phone.id).await.expect("load").is_none(),
        "an ended sign-in came back"
    );

    assert_eq!(
        sessions::end_other_sign_ins(&db, ada, Some(&here)).await.expect("end"),
        1
    );
    assert!(store.load(&tablet.id).await.expect("load").is_none());
    assert!(store.load(&laptop.id).await.expect("load").is_some());
    assert!(store.load(&bobs.id).await.expect("load").is_some());
}

db_tests!(
    an_account_lists_its_sign_ins_and_ends_one_or_every_other,
    a_kept_form_is_taken_once_and_a_huge_one_is_not_kept,
    an_unchanged_session_is_not_written_again_and_a_huge_one_is_refused,
    a_saved_session_loads_back_unchanged,
    an_expired_session_is_not_loaded_and_is_purged,
    create_never_overwrites_an_existing_session,
    saving_a_signed_in_session_records_its_user,
    a_password_change_ends_the_users_other_sessions_only,
    logout_everywhere_deletes_every_session_of_the_user,
);
