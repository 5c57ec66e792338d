pub mod analytics;
pub mod audit;
pub mod dashboard;
pub mod order_refund;
pub mod orders;
pub mod search;
pub mod stores;
pub mod users;

pub use dashboard::AdminPage;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::portal::{AdminSection, AdminShell};
use crate::pages::errors::ForbiddenPage;

/// Sends a signed-out visitor to the login (back to `path` after) and shows others than admins the 403 page.
pub(crate) fn admin_gate(path: &str) -> Option<AnyView> {
    let Some(user) = crate::request_user() else {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect(&format!("/login?next={}", crate::url_encode(path)));
        #[cfg(not(feature = "ssr"))]
        let _ = path;
        return Some(().into_any());
    };
    (!user.is_admin()).then(|| view! { <ForbiddenPage/> }.into_any())
}

/// `/admin/sellers/applications`: the queue of applications to sell, oldest first: approve, or reject with a
/// reason the applicant reads.
#[component]
pub fn SellerApplicationsPage() -> impl IntoView {
    use crate::api::admin::{seller_applications, ApproveApplication, RejectApplication};
    use crate::components::portal::Notice;
    use crate::pages::url_error;
    use leptos::server_fn::ServerFn;

    if let Some(instead) = admin_gate("/admin/sellers/applications") {
        return instead;
    }
    let query = leptos_router::hooks::use_query_map();
    let (after, done) = query.with_untracked(|q| (q.get("after"), q.get("done")));
    let notice = match done.as_deref() {
        Some("approved") => Some("Application approved: the store is open and the applicant has been emailed."),
        Some("rejected") => Some("Application rejected: the applicant has been emailed the reason."),
        _ => None,
    };
    let error = url_error::<ApproveApplication>().or_else(url_error::<RejectApplication>);
    view! {
        <Title text="Seller applications"/>
        <AdminShell section=AdminSection::Applications>
        <div class="stack">
            <h1 class="page-title">"Seller applications"</h1>
            <Notice text=notice/>
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.message_for(&["reason"])}</p> })}
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match seller_applications(after).await {
                        Ok(queue) if queue.items.is_empty() => view! {
                            <section class="card empty stack">
                                <h2>"No applications waiting"</h2>
                                <p>"New applications appear here, oldest first, and each one is emailed to the admins."</p>
                            </section>
                        }.into_any(),
                        Ok(queue) => view! {
                            <p class="lead">{format!("{} waiting, oldest first", queue.pending)}</p>
                            <ul class="plain-list stack">
                                {queue.items.into_iter().map(|a| {
                                    let heading = format!("application-{}", a.id);
                                    let reason_id = format!("reason-{}", a.id);
                                    let sent = model::format_date(a.created_at);
                                    view! {
                                        <li>
                                            <article class="card stack" aria-labelledby=heading.clone()>
                                                <h2 id=heading.clone()>{a.store_name.clone()}</h2>
                                                <dl class="details">
                                                    <dt>"Applicant"</dt><dd>{format!("{} ({})", a.applicant_name, a.applicant_email)}</dd>
                                                    <dt>"Store address"</dt><dd><code>{format!("/store/{}", a.slug)}</code></dd>
                                                    <dt>"Country"</dt><dd>{model::orders::country_name(&a.country).to_string()}</dd>
                                                    <dt>"Support email"</dt><dd>{a.support_email.clone()}</dd>
                                                    <dt>"Returns"</dt><dd>{format!("{} days. {}", a.return_days, a.return_policy)}</dd>
                                                    <dt>"Sent"</dt><dd><time datetime=sent.clone()>{sent.clone()}</time></dd>
                                                </dl>
                                                <p class="prewrap">{a.description.clone()}</p>
                                                <div class="actions">
                                                    <form method="post" action=ApproveApplication::url()>
                                                        <input type="hidden" name="id" value=a.id.to_string()/>
                                                        <button class="button" type="submit">{format!("Approve {}", a.store_name)}</button>
                                                    </form>
                                                    <details class="reject">
                                                        <summary class="button button--secondary">{format!("Reject {}…", a.store_name)}</summary>
                                                        <form method="post" action=RejectApplication::url() class="form">
                                                            <input type="hidden" name="id" value=a.id.to_string()/>
                                                            <div class="field">
                                                                <label for=reason_id.clone()>"Reason the applicant will read"</label>
                                                                <textarea id=reason_id name="reason" rows="3" required maxlength="1000"></textarea>
                                                            </div>
                                                            <button class="button button--danger" type="submit">"Reject application"</button>
                                                        </form>
                                                    </details>
                                                </div>
                                            </article>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {queue.next.map(|next| view! {
                                <p><a class="button button--secondary" href=format!("/admin/sellers/applications?after={}", crate::url_encode(&next))>"Next page"</a></p>
                            })}
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
        </AdminShell>
    }
    .into_any()
}

/// `/admin/messages`: the newest messages that hold contact details or a link, across every store; with
/// `?order=NUMBER`, that order's whole thread (its internal notes too). Admins only.
#[component]
pub fn AdminMessagesPage() -> impl IntoView {
    let order = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("order"))
        .unwrap_or_default();
    let here = if order.is_empty() {
        "/admin/messages".to_string()
    } else {
        format!("/admin/messages?order={}", crate::url_encode(&order))
    };
    if let Some(instead) = admin_gate(&here) {
        return instead;
    }
    let title = if order.is_empty() {
        "Flagged messages".to_string()
    } else {
        format!("Messages of order {order}")
    };
    view! {
        <Title text=title.clone()/>
        <AdminShell section=AdminSection::Messages>
        <h1 class="page-title">{title}</h1>
        <p class="muted">"Messages that hold an email address, a phone number or a link: deals taken off Bazaar."</p>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match crate::api::messages::admin_messages(order.clone()).await {
                    Ok(found) if found.is_empty() => view! { <p>"Nothing to read."</p> }.into_any(),
                    Ok(found) => view! {
                        <ul class="plain-list stack">
                            {found.into_iter().map(|f| {
                                let href = format!("/admin/messages?order={}", crate::url_encode(&f.order_number));
                                view! {
                                    <li class="card stack">
                                        <p><a href=href>{format!("Order {}", f.order_number)}</a>{format!(" · {}", f.store_name)}</p>
                                        <crate::components::messages::MessageList messages=vec![f.message]/>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        </AdminShell>
    }
    .into_any()
}

/// A detail page whose record could not be read (not found, or the database failed): its title and why.
#[component]
pub(crate) fn NotLoaded(title: &'static str, error: crate::error::AppError) -> impl IntoView {
    view! {
        <h1 class="page-title">{title}</h1>
        <p class="alert alert--error" role="alert">{error.to_string()}</p>
    }
}

/// The password field a change asks for when the admin's last one is older than 10 minutes; an empty one, hidden,
/// when it is recent (the server function always takes the field).
#[component]
pub(crate) fn PasswordAgain(needed: bool, id: String) -> impl IntoView {
    if !needed {
        return view! { <input type="hidden" name="password" value=""/> }.into_any();
    }
    view! {
        <div class="field">
            <label for=id.clone()>"Your password"</label>
            <input id=id.clone() name="password" type="password" autocomplete="current-password" required/>
            <p class="field__hint">"Asked again when your last one is older than 10 minutes."</p>
        </div>
    }
    .into_any()
}
