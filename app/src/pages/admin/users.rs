//! `/admin/users`: every account, searched by name or address and filtered by role and state (keyset pages), and
//! `/admin/users/{id}`: an account with its orders, live sign-ins and audit trail, and the changes to its standing.
//! Plain forms, no island.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use model::admin::{AccountState, UserDetail, UserFilter, UserList, ASSIGNABLE_ROLES};
use model::Role;

use super::audit::AuditTrail;
use super::{admin_gate, NotLoaded, PasswordAgain};
use crate::api::admin::users::{admin_user, admin_users, ChangeAccountRole, ReactivateAccount, SuspendAccount};
use crate::components::portal::{AdminSection, AdminShell, NextPage, Notice};
use crate::pages::url_error;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let (filter, after) = leptos_router::hooks::use_query_map().with_untracked(|m| {
        let get = |name: &str| m.get(name).unwrap_or_default();
        let filter = UserFilter {
            q: get("q"),
            role: Role::parse(&get("role")),
            state: AccountState::parse(&get("state")),
        };
        (filter, get("after"))
    });
    if let Some(instead) = admin_gate(&filter.href(&after)) {
        return instead;
    }
    view! {
        <Title text="Accounts · Admin"/>
        <AdminShell section=AdminSection::Users>
            <h1 class="page-title">"Accounts"</h1>
            <UserFilters filter=filter.clone()/>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let f = filter.clone();
                    let role = f.role.map(|r| r.as_str().to_string()).unwrap_or_default();
                    let state = f.state.map(|s| s.as_str().to_string()).unwrap_or_default();
                    match admin_users(f.q.clone(), role, state, after).await {
                        Ok(list) => view! { <UserTable list=list filter=f/> }.into_any(),
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

/// The search box and the role and state selects, in the address (a GET form).
#[component]
fn UserFilters(filter: UserFilter) -> impl IntoView {
    view! {
        <form method="get" action="/admin/users" class="filters card" role="search" aria-label="Search accounts">
            <div class="field">
                <label for="users-q">"Name or email"</label>
                <input id="users-q" name="q" type="search" value=filter.q.clone()/>
            </div>
            <div class="field">
                <label for="users-role">"Role"</label>
                <select id="users-role" name="role">
                    <option value="">"Any role"</option>
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=filter.role == Some(r)>{r.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="users-state">"State"</label>
                <select id="users-state" name="state">
                    <option value="">"Any state"</option>
                    {AccountState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=filter.state == Some(s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filters__actions">
                <button class="button button--secondary" type="submit">"Search"</button>
                {filter.narrowed().then(|| view! { <a href="/admin/users">"Clear filters"</a> })}
            </div>
        </form>
    }
}

#[component]
fn UserTable(list: UserList, filter: UserFilter) -> impl IntoView {
    if list.rows.is_empty() {
        let why = if filter.narrowed() {
            "No account matches these filters."
        } else {
            "No accounts yet: shoppers appear here when they register."
        };
        return view! { <section class="card empty"><p>{why}</p></section> }.into_any();
    }
    let next = list.next.as_deref().map(|after| filter.href(after));
    view! {
        <table class="table">
            <caption class="visually-hidden">"Accounts, newest first"</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                <th scope="col">"State"</th><th scope="col">"Registered"</th>
            </tr></thead>
            <tbody>
                {list.rows.into_iter().map(|u| {
                    let since = model::format_date(u.created_at);
                    view! {
                        <tr>
                            <td><a href=format!("/admin/users/{}", u.id)>{u.name.clone()}</a></td>
                            <td data-label="Email">{u.email.clone()}</td>
                            <td data-label="Role">{u.role.label()}</td>
                            <td data-label="State"><span class=format!("badge badge--{}", u.state.tone())>{u.state.label()}</span></td>
                            <td data-label="Registered"><time datetime=since.clone()>{since.clone()}</time></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <NextPage href=next/>
    }
    .into_any()
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let id = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    if let Some(instead) = admin_gate(&format!("/admin/users/{id}")) {
        return instead;
    }
    let notice = match leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("done"))
        .as_deref()
    {
        Some("suspended") => Some("Account suspended: every session it had has ended."),
        Some("reactivated") => Some("Account reactivated: it can sign in again."),
        Some("role") => Some("Role changed."),
        _ => None,
    };
    let error = url_error::<SuspendAccount>()
        .or_else(url_error::<ReactivateAccount>)
        .or_else(url_error::<ChangeAccountRole>);
    view! {
        <Title text="Account · Admin"/>
        <AdminShell section=AdminSection::Users>
            <p><a href="/admin/users">"← Accounts"</a></p>
            <Notice text=notice/>
            {error.map(|e| view! {
                <p class="alert alert--error" role="alert">{e.message_for(&["reason", "password", "role"])}</p>
            })}
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match admin_user(id).await {
                        Ok(detail) => view! { <UserDetailView detail=detail/> }.into_any(),
                        Err(e) => view! { <NotLoaded title="Account" error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn UserDetailView(detail: UserDetail) -> impl IntoView {
    let u = detail.user.clone();
    let since = model::format_date(u.created_at);
    view! {
        <h1 class="page-title">{u.name.clone()}</h1>
        <section class="card" aria-labelledby="account-title">
            <h2 id="account-title">"Account"</h2>
            <dl class="details">
                <dt>"Email"</dt><dd>{u.email.clone()}{(!detail.email_verified).then_some(" (not confirmed)")}</dd>
                <dt>"Role"</dt><dd>{u.role.label()}</dd>
                <dt>"State"</dt><dd><span class=format!("badge badge--{}", u.state.tone())>{u.state.label()}</span></dd>
                <dt>"Two-factor sign-in"</dt><dd>{if detail.two_factor { "On" } else { "Off" }}</dd>
                {detail.store_name.clone().zip(detail.store_id).map(|(s, id)| view! {
                    <dt>"Store"</dt><dd><a href=format!("/admin/sellers/{id}")>{s}</a></dd>
                })}
                <dt>"Registered"</dt><dd><time datetime=since.clone()>{since.clone()}</time></dd>
            </dl>
        </section>
        {(!detail.is_self && u.state != AccountState::Erased).then(|| view! { <StandingForms detail=detail.clone()/> })}
        <section class="card stack" aria-labelledby="orders-title">
            <h2 id="orders-title">{format!("Orders ({})", detail.order_count)}</h2>
            {if detail.orders.is_empty() {
                view! { <p>"No orders."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <caption class="visually-hidden">"The account's newest orders"</caption>
                        <thead><tr><th scope="col">"Order"</th><th scope="col">"Placed"</th>
                            <th scope="col" class="num">"Total"</th><th scope="col">"Status"</th></tr></thead>
                        <tbody>
                            {detail.orders.iter().map(|o| {
                                let placed = model::format_date(o.placed_at);
                                view! { <tr>
                                    <td>{o.number.clone()}</td>
                                    <td data-label="Placed"><time datetime=placed.clone()>{placed.clone()}</time></td>
                                    <td data-label="Total" class="num">{o.total.display()}</td>
                                    <td data-label="Status">{o.status.clone()}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card stack" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{if detail.sessions.is_empty() {
                "Not signed in anywhere".to_string()
            } else {
                format!("Signed in on {}", model::count_of(detail.sessions.len() as i64, "device", "devices"))
            }}</h2>
            <ul class="plain-list">
                {detail.sessions.iter().map(|s| {
                    let at = s.signed_in_at.map(model::format_date).unwrap_or_default();
                    view! { <li>{s.device.clone()}" · since "<time datetime=at.clone()>{at.clone()}</time>" · session "<code>{s.handle.clone()}</code></li> }
                }).collect_view()}
            </ul>
        </section>
        <section class="card stack" aria-labelledby="trail-title">
            <h2 id="trail-title">"Audit trail"</h2>
            <p><a href=format!("/admin/audit?actor={}", u.id)>"Everything by or about this account in the audit log"</a></p>
            <AuditTrail entries=detail.audit.clone()/>
        </section>
    }
}

/// Suspend or reactivate, and the role: each a disclosure with its reason (kept in the audit log).
#[component]
fn StandingForms(detail: UserDetail) -> impl IntoView {
    let u = detail.user;
    let id = u.id.to_string();
    let needs = detail.needs_password;
    let suspended = u.state == AccountState::Suspended;
    let (action, summary, button) = if suspended {
        (
            ReactivateAccount::url(),
            format!("Reactivate {}…", u.name),
            "Reactivate the account".to_string(),
        )
    } else {
        (
            SuspendAccount::url(),
            format!("Suspend {}…", u.name),
            format!("Suspend {}: sign them out everywhere", u.name),
        )
    };
    let (summary_class, button_class) = if suspended {
        ("button button--secondary", "button")
    } else {
        ("button button--danger", "button button--danger")
    };
    let can_change_role = detail.store_name.is_none() && u.role != Role::Seller;
    view! {
        <section class="card stack" aria-labelledby="standing-title">
            <h2 id="standing-title">"Standing"</h2>
            <details class="reject">
                <summary class=summary_class>{summary}</summary>
                <form method="post" action=action class="form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <div class="field">
                        <label for="standing-reason">"Reason (kept in the audit log)"</label>
                        <input id="standing-reason" name="reason" type="text" required maxlength="500"/>
                    </div>
                    <PasswordAgain needed=needs id="standing-password".into()/>
                    <button class=button_class type="submit">{button}</button>
                </form>
            </details>
            {can_change_role.then(|| view! {
                <details class="reject">
                    <summary class="button button--secondary">"Change role…"</summary>
                    <form method="post" action=ChangeAccountRole::url() class="form">
                        <input type="hidden" name="id" value=id.clone()/>
                        <div class="field">
                            <label for="role-new">"New role"</label>
                            <select id="role-new" name="role">
                                {ASSIGNABLE_ROLES.into_iter().map(|r| view! {
                                    <option value=r.as_str() selected=r == u.role>{r.label()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="role-reason">"Reason (kept in the audit log)"</label>
                            <input id="role-reason" name="reason" type="text" required maxlength="500"/>
                        </div>
                        <PasswordAgain needed=needs id="role-password".into()/>
                        <button class="button" type="submit">"Change the role"</button>
                    </form>
                </details>
            })}
        </section>
    }
}
