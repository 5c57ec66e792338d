//! The seller's way to Stripe's onboarding pages (Stripe Connect, decision 0031):
//! `POST /seller/money/stripe/onboard` (the money screen's button) and `GET /seller/money/stripe/refresh`
//! (where Stripe sends a seller whose single-use link was used or expired) open the store's account if needed and
//! send the seller to a fresh onboarding page; `GET /seller/money/stripe/return` reads the account as Stripe knows
//! it now and goes back to the money screen, which says where the account stands.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::sellers::SellerError;

use crate::money_files::see_other;
use crate::AppState;
use app::ssr::CurrentActor;

const MONEY: &str = "/seller/money";

/// `POST`: opens the store's account if needed and sends the seller to Stripe's onboarding page.
pub async fn onboard(state: State<AppState>, actor: Option<Extension<CurrentActor>>) -> Response {
    to_stripe(state, actor, true).await
}

/// `GET` (Stripe's `refresh_url`): a fresh onboarding page for an account already opened.
pub async fn refresh(state: State<AppState>, actor: Option<Extension<CurrentActor>>) -> Response {
    to_stripe(state, actor, false).await
}

async fn to_stripe(State(state): State<AppState>, actor: Option<Extension<CurrentActor>>, open: bool) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other("/login?next=%2Fseller%2Fmoney");
    };
    let Some(rail) = state.services.connect.as_deref() else {
        return (
            StatusCode::NOT_FOUND,
            "Payouts through Stripe are not set up in this shop.",
        )
            .into_response();
    };
    if actor.is_admin() {
        return (StatusCode::FORBIDDEN, "The seller portal is for sellers.").into_response();
    }
    match domain::money::connect::onboarding_link(&state.services.db, rail, &actor, open).await {
        Ok(Some(url)) => see_other(&url),
        Ok(None) => see_other(MONEY),
        Err(e) => answer_failure(e),
    }
}

/// Back from Stripe: the account re-read, then the money screen.
pub async fn returned(State(state): State<AppState>, actor: Option<Extension<CurrentActor>>) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other("/login?next=%2Fseller%2Fmoney");
    };
    let Some(rail) = state.services.connect.as_deref() else {
        return see_other(MONEY);
    };
    match domain::money::connect::refresh(&state.services.db, rail, &actor).await {
        Ok(_) => see_other(MONEY),
        Err(e) => answer_failure(e),
    }
}

/// Stripe unreachable, or the store's country outside the platform's region: the money screen says so (a fixed
/// notice, never Stripe's text in a URL).
fn answer_failure(e: SellerError) -> Response {
    match e {
        SellerError::NotFound => see_other("/sell"),
        SellerError::Conflict(_) => see_other("/seller/money?stripe=unreachable"),
        SellerError::Invalid(_) => see_other("/seller/money?stripe=region"),
        other => {
            tracing::error!(error = %other, "Stripe onboarding failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong; please try again.",
            )
                .into_response()
        }
    }
}
