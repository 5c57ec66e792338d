//! A payment provider that misbehaves on purpose, for the refund paths that must survive it.

use std::sync::atomic::{AtomicBool, Ordering};

use domain::payments::{
    DisputeEvidence, GatewayError, PaymentEvent, PaymentGateway, PaymentRequest, PaymentStart, TestGateway,
};
use domain::Db;

/// The test gateway behind two switches: while `down`, every refund answers that the provider could not be reached
/// or evidence sent answers that the provider could not be reached (a timeout), having made nothing; while
/// `refusing`, the provider refuses every refund and evidence. Payments go through.
#[derive(Debug)]
pub struct Switched {
    inner: TestGateway,
    down: AtomicBool,
    refusing: AtomicBool,
}

impl Switched {
    /// Unreachable for refunds until [`Switched::set_down`] turns it back on.
    pub fn down(db: &Db) -> Switched {
        Switched {
            inner: TestGateway::new(db.clone()),
            down: AtomicBool::new(true),
            refusing: AtomicBool::new(false),
        }
    }

    /// Refusing every refund.
    pub fn refusing(db: &Db) -> Switched {
        Switched {
            inner: TestGateway::new(db.clone()),
            down: AtomicBool::new(false),
            refusing: AtomicBool::new(true),
        }
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl PaymentGateway for Switched {
    fn provider(&self) -> &'static str {
        self.inner.provider()
    }
    fn test_mode(&self) -> bool {
        true
    }
    async fn start(&self, request: &PaymentRequest) -> Result<PaymentStart, GatewayError> {
        self.inner.start(request).await
    }
    async fn refund(&self, provider_ref: &str, amount: i64, key: &str) -> Result<(), GatewayError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(GatewayError::Unavailable("timed out".into()));
        }
        if self.refusing.load(Ordering::SeqCst) {
            return Err(GatewayError::Refused("the card is closed".into()));
        }
        self.inner.refund(provider_ref, amount, key).await
    }
    async fn submit_evidence(
        &self,
        dispute: &str,
        evidence: &DisputeEvidence,
        key: &str,
    ) -> Result<Option<PaymentEvent>, GatewayError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(GatewayError::Unavailable("timed out".into()));
        }
        if self.refusing.load(Ordering::SeqCst) {
            return Err(GatewayError::Refused("no such dispute".into()));
        }
        self.inner.submit_evidence(dispute, evidence, key).await
    }
}
