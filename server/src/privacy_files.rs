//! `GET /account/privacy/export.json`: everything Bazaar holds about the signed-in account, as one JSON file
//! (decision 0041). Never cached; a visitor is sent to sign in.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::workflows::account_data::{self, AccountDataError};

use crate::money_files::{attachment, see_other};
use crate::AppState;
use app::ssr::CurrentActor;

const SIGN_IN: &str = "/login?next=%2Faccount%2Fprivacy";

pub async fn export(State(state): State<AppState>, actor: Option<Extension<CurrentActor>>) -> Response {
    let Some(Extension(CurrentActor(actor))) = actor else {
        return see_other(SIGN_IN);
    };
    if actor.user_id().is_none() {
        return see_other(SIGN_IN);
    }
    let made = account_data::export(&state.services.db, &actor)
        .await
        .and_then(|data| serde_json::to_vec_pretty(&data).map_err(|e| AccountDataError::Failed(e.to_string())));
    match made {
        Ok(bytes) => attachment(
            "application/json; charset=utf-8",
            &format!("bazaar-account-{}.json", domain::platform::clock::today()),
            bytes,
        ),
        Err(AccountDataError::NotFound) => see_other(SIGN_IN),
        Err(e) => {
            tracing::error!(error = %e, "an account's data export could not be written");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Your data could not be gathered; please try again.",
            )
                .into_response()
        }
    }
}
