//! Loads the signed-in user for every request, before pages and server functions run, and enforces the absolute
//! session timeout (the idle one is the session expiry itself).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::accounts;
use domain::accounts::sessions::{CART_ID_KEY, SIGNED_IN_AT_KEY, TWO_FACTOR_PASSED_KEY, USER_ID_KEY};
use tower_sessions::Session;

use app::ssr::{CartCount, CurrentActor, CurrentUser, RequestId, Services};

/// An admin without two-factor sign-in is sent to set it up before any admin page (their account acts as a
/// visitor until then, so admin actions are refused anyway; this says why and where to go).
fn needs_two_factor_first(user: &accounts::User, path: &str) -> bool {
    user.role == model::Role::Admin
        && user.two_factor_at.is_none()
        && user.disabled_at.is_none()
        && (path == "/admin" || path.starts_with("/admin/"))
}

pub async fn load_current_user(
    State(services): State<Services>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    match session.get::<i64>(USER_ID_KEY).await {
        Ok(Some(user_id)) => {
            let signed_in_at = session.get::<i64>(SIGNED_IN_AT_KEY).await.ok().flatten().unwrap_or(0);
            let age_ms = domain::platform::clock::now_ms() - signed_in_at;
            let too_old = age_ms > services.session_policy.absolute.as_millis() as i64;
            let second_step = session.get::<bool>(TWO_FACTOR_PASSED_KEY).await.ok().flatten() == Some(true);
            let user = if too_old {
                None
            } else {
                match accounts::find_user(&services.db, user_id).await {
                    Ok(user) => user,
                    Err(e) => {
                        // Treat as signed out for this request; the page still renders.
                        tracing::error!(request_id, error = %e, "could not load the signed-in user");
                        None
                    }
                }
            };
            if user.as_ref().is_some_and(|u| u.role == model::Role::Admin) {
                // An admin's session ends after a shorter idle time than a shopper's, whichever answer this
                // request gets: the store writes this deadline with the session at the end of the request.
                let idle =
                    time::Duration::try_from(services.session_policy.admin_idle).unwrap_or(time::Duration::minutes(30));
                session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(idle)));
            }
            match user {
                // An account with two-factor sign-in on is signed in only where a code was given.
                Some(user) if user.two_factor_at.is_some() && !second_step => {
                    if let Err(e) = session.flush().await {
                        tracing::error!(request_id, error = %e, "could not end a session without its second step");
                    }
                }
                Some(user) if needs_two_factor_first(&user, req.uri().path()) => {
                    return axum::response::Redirect::to("/account/two-factor?required=1").into_response();
                }
                Some(user) if user.disabled_at.is_none() => {
                    // The actor every use case of this request acts for, from the row just read.
                    // With the session it comes from, for the audit log (by its handle, never its id).
                    let actor = match session.id() {
                        Some(id) => user.actor().in_session(&id.to_string()),
                        None => user.actor(),
                    };
                    req.extensions_mut().insert(CurrentActor(actor));
                    req.extensions_mut().insert(CurrentUser(user.to_view()));
                }
                _ => {
                    // Expired sign-in, deleted or disabled account: end the session.
                    if let Err(e) = session.flush().await {
                        tracing::error!(request_id, error = %e, "could not end a stale session");
                    }
                }
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!(request_id, error = %e, "could not read the session"),
    }
    // The header's cart count. Only visitors with a session can have a cart, so anonymous page views (and the
    // page cache) never pay for this query.
    if let Ok(Some(cart_id)) = session.get::<i64>(CART_ID_KEY).await {
        match domain::cart::item_count(&services.db, cart_id).await {
            Ok(count) => {
                req.extensions_mut().insert(CartCount(count));
            }
            Err(e) => tracing::error!(request_id, error = %e, "could not count the cart"),
        }
    }
    next.run(req).await
}
