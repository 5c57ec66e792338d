//! The SMTP mailer (lettre) against a local fake relay that speaks SMTP (greeting, EHLO, MAIL, RCPT, DATA,
//! QUIT). The first DATA is answered with a temporary failure, so the outbox's retry is exercised: the message
//! arrives exactly once. No real relay can be reached from here.

use std::sync::{Arc, Mutex};

use domain::notifications::{self, Mail, SmtpMailer};
use domain::Db;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::db_tests;

#[derive(Default)]
struct Relay {
    accepted: Vec<String>,
    refused_once: bool,
}

async fn spawn_relay() -> (u16, Arc<Mutex<Relay>>) {
    let relay = Arc::new(Mutex::new(Relay::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let state = relay.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let state = state.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake.relay ESMTP\r\n").await.ok();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-fake.relay\r\n250 8BITMIME\r\n",
                        "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.ok();
                            let mut message = String::new();
                            while let Ok(Some(data)) = lines.next_line().await {
                                if data == "." {
                                    break;
                                }
                                message.push_str(&data);
                                message.push('\n');
                            }
                            let mut relay = state.lock().expect("ok");
                            if relay.refused_once {
                                relay.accepted.push(message);
                                b"250 OK queued\r\n"
                            } else {
                                relay.refused_once = true;
                                b"451 Try again later\r\n"
                            }
                        }
                        "QUIT" => {
                            write.write_all(b"221 Bye\r\n").await.ok();
                            break;
                        }
                        _ => b"502 Command not implemented\r\n",
                    };
                    if write.write_all(answer).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, relay)
}

async fn mail_reaches_the_relay_once_after_a_temporary_failure(db: Db) {
    let (port, relay) = spawn_relay().await;
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Bazaar <orders@bazaar.test>",
        Some("https://shop.example/"),
    )
    .expect("mailer");
    let mut tx = db.begin_write().await.expect("tx");
    let confirmation = Mail {
        to: "ada@example.com".into(),
        subject: "Your Bazaar order BZ-TEST is confirmed".into(),
        body: "Thank you for your order BZ-TEST.\nFollow it: /orders/BZ-TEST (or //elsewhere, left alone)\n".into(),
    };
    assert!(notifications::enqueue(&mut tx, "order-confirmation:1", &confirmation)
        .await
        .expect("queued"));
    assert!(!notifications::enqueue(&mut tx, "order-confirmation:1", &confirmation)
        .await
        .expect("deduped"));
    tx.commit().await.expect("commit");

    assert_eq!(
        notifications::deliver_due(&db, &mailer, 10).await.expect("attempt"),
        (0, 1)
    );
    assert!(relay.lock().expect("ok").accepted.is_empty());
    // Not due again until the backoff has passed…
    assert_eq!(
        notifications::deliver_due(&db, &mailer, 10).await.expect("attempt"),
        (0, 0)
    );
    // …which the test skips.
    sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0")
        .execute(db.pool())
        .await
        .expect("due");
    assert_eq!(
        notifications::deliver_due(&db, &mailer, 10).await.expect("attempt"),
        (1, 0)
    );
    assert_eq!(
        notifications::deliver_due(&db, &mailer, 10).await.expect("attempt"),
        (0, 0)
    );
    let accepted = relay.lock().expect("ok").accepted.clone();
    assert_eq!(accepted.len(), 1, "exactly once");
    assert!(
        accepted[0].contains("Subject: Your Bazaar order BZ-TEST is confirmed"),
        "{}",
        accepted[0]
    );
    assert!(accepted[0].contains("To: ada@example.com"));
    assert!(accepted[0].contains("Thank you for your order BZ-TEST."));
    // The shop's paths arrive as addresses a mail client can follow.
    assert!(
        accepted[0].contains("Follow it: https://shop.example/orders/BZ-TEST (or //elsewhere"),
        "{}",
        accepted[0]
    );
    // Text and HTML made from the same words; an order mail has no unsubscribe.
    assert!(
        accepted[0].contains("Content-Type: multipart/alternative"),
        "{}",
        accepted[0]
    );
    assert!(accepted[0].contains("Content-Type: text/plain"), "{}", accepted[0]);
    assert!(accepted[0].contains("Content-Type: text/html"), "{}", accepted[0]);
    assert!(!accepted[0].contains("List-Unsubscribe"), "{}", accepted[0]);
}

/// An optional mail carries RFC 8058's two headers, naming the one-click address with the account's token.
async fn optional_mail_carries_one_click_unsubscribe(db: Db) {
    let (port, relay) = spawn_relay().await;
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Bazaar <orders@bazaar.test>",
        Some("https://shop.example"),
    )
    .expect("mailer");
    let (user_id, _) = crate::harness::actors::shopper(&db).await;
    sqlx::query("DELETE FROM mail_outbox")
        .execute(db.pool())
        .await
        .expect("only this mail");
    let mail = Mail {
        to: "keeper@example.com".into(),
        subject: "Price drop: Kettle is now $40.00".into(),
        body: "Kettle, on your wishlist, now costs $40.00.\n".into(),
    };
    let mut tx = db.begin_write().await.expect("tx");
    let topic = model::notifications::Topic::PriceDrops;
    assert!(
        notifications::enqueue_optional(&mut tx, "drop:1", &mail, user_id, topic, 0)
            .await
            .expect("queued")
    );
    let token = notifications::prefs::unsubscribe_token(&mut tx, user_id)
        .await
        .expect("token");
    tx.commit().await.expect("commit");
    for _ in 0..2 {
        notifications::deliver_due(&db, &mailer, 10).await.expect("attempt");
        sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0 WHERE sent_at IS NULL")
            .execute(db.pool())
            .await
            .expect("due");
    }
    let accepted = relay.lock().expect("ok").accepted.clone();
    assert_eq!(accepted.len(), 1, "sent once after the relay's refusal");
    let one_click = format!("List-Unsubscribe: <https://shop.example/unsubscribe/one-click/{token}/price-drops>");
    assert!(accepted[0].contains(&one_click), "{}", accepted[0]);
    assert!(
        accepted[0].contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{}",
        accepted[0]
    );
}

db_tests!(
    mail_reaches_the_relay_once_after_a_temporary_failure,
    optional_mail_carries_one_click_unsubscribe
);
