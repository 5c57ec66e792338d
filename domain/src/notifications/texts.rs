//! Text messages (SMS) for an order that shipped or was delivered, to accounts that asked for them (decision
//! 0045). A [`TextSender`] delivers them: [`LogTexts`] by default (a line in the log, the number shortened), or
//! [`HttpTexts`] for a provider with Twilio's Messages API (`POST …/Accounts/{id}/Messages.json`, form fields
//! `To`, `From`, `Body`, HTTP basic auth with the account id and token), which other providers also offer.

use std::fmt::Debug;

use async_trait::async_trait;

use super::MailError;

/// A text message is at most this long: two SMS segments of GSM-7 text, so a carrier sends it whole.
pub const MAX_CHARS: usize = 306;

#[async_trait]
pub trait TextSender: Send + Sync + Debug {
    async fn send(&self, to: &str, body: &str) -> Result<(), MailError>;
}

/// Writes each text to the log: the default, where no provider is configured (a shop that wants none).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogTexts;

#[async_trait]
impl TextSender for LogTexts {
    async fn send(&self, to: &str, body: &str) -> Result<(), MailError> {
        tracing::info!(to = %shortened(to), body, "text message (no SMS provider configured: logged only)");
        Ok(())
    }
}

/// A phone number with all but its last three digits hidden, for logs.
fn shortened(phone: &str) -> String {
    let last: String = phone.chars().rev().take(3).collect();
    format!("…{}", last.chars().rev().collect::<String>())
}

/// A provider's Messages API over HTTPS (`SMS_API_BASE`, `SMS_ACCOUNT`, `SMS_TOKEN`, `SMS_FROM`).
#[derive(Clone)]
pub struct HttpTexts {
    client: reqwest::Client,
    messages_url: String,
    account: String,
    token: String,
    from: String,
    /// The shop's address (`PUBLIC_URL`), put before the paths a text names.
    site: Option<String>,
}

impl Debug for HttpTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a password: never printed.
        f.debug_struct("HttpTexts")
            .field("messages_url", &self.messages_url)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl HttpTexts {
    pub fn new(
        api_base: &str,
        account: &str,
        token: &str,
        from: &str,
        site: Option<&str>,
    ) -> Result<HttpTexts, MailError> {
        if account.is_empty() || !account.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(MailError("SMS_ACCOUNT: letters and digits only".into()));
        }
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| MailError(format!("SMS client: {e}")))?;
        Ok(HttpTexts {
            client,
            messages_url: format!(
                "{}/2010-04-01/Accounts/{account}/Messages.json",
                api_base.trim_end_matches('/')
            ),
            account: account.to_string(),
            token: token.to_string(),
            from: from.to_string(),
            site: site.map(|s| s.trim_end_matches('/').to_string()),
        })
    }
}

/// The provider's error answer: `{"code": 21211, "message": "…"}`.
#[derive(serde::Deserialize)]
struct ProviderError {
    code: Option<i64>,
    message: Option<String>,
}

#[async_trait]
impl TextSender for HttpTexts {
    async fn send(&self, to: &str, body: &str) -> Result<(), MailError> {
        let body = match &self.site {
            Some(site) => super::absolute_links(body, site),
            None => body.to_string(),
        };
        let body: String = body.chars().take(MAX_CHARS).collect();
        let response = self
            .client
            .post(&self.messages_url)
            .basic_auth(&self.account, Some(&self.token))
            .form(&[("To", to), ("From", self.from.as_str()), ("Body", body.as_str())])
            .send()
            .await
            .map_err(|e| MailError(format!("SMS provider unreachable: {}", e.without_url())))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let detail = response
            .text()
            .await
            .ok()
            .and_then(|text| serde_json::from_str::<ProviderError>(&text).ok())
            .map(|e| {
                format!(
                    "{} {}",
                    e.code.map(|c| c.to_string()).unwrap_or_default(),
                    e.message.unwrap_or_default()
                )
            })
            .unwrap_or_default();
        Err(MailError(format!("SMS provider answered {status}: {}", detail.trim())))
    }
}
