//! `/admin/audit`: the audit log, newest first: who did what to which thing, before → after, when and from which
//! session; searched by words and filtered by action, account, subject and days in the address (keyset pages).

use leptos::prelude::*;
use leptos_meta::Title;
use model::admin::{AuditAction, AuditEntryView, AuditFilter};

use super::admin_gate;
use crate::api::admin::audit::audit_log;
use crate::components::portal::{AdminSection, AdminShell, DaysAndSearch};

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let (filter, after) = leptos_router::hooks::use_query_map().with_untracked(|m| {
        let get = |name: &str| m.get(name).unwrap_or_default();
        let filter = AuditFilter {
            q: get("q"),
            action: AuditAction::parse(&get("action"))
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
            actor: get("actor").parse().ok(),
            subject_kind: get("kind"),
            subject_id: get("subject"),
            from: model::date_input(get("from")),
            to: model::date_input(get("to")),
        };
        (filter, get("after"))
    });
    if let Some(instead) = admin_gate(&filter.href(&after)) {
        return instead;
    }
    view! {
        <Title text="Audit log · Admin"/>
        <AdminShell section=AdminSection::Audit>
            <h1 class="page-title">"Audit log"</h1>
            <p class="muted">"Every change to money, stock, status, prices or permissions, as it was made. Nothing here can be edited or deleted."</p>
            <AuditFilters filter=filter.clone()/>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let f = filter.clone();
                    let actor = f.actor.map(|a| a.to_string()).unwrap_or_default();
                    match audit_log(f.q.clone(), f.action.clone(), actor, f.subject_kind.clone(), f.subject_id.clone(),
                        f.from.clone(), f.to.clone(), after).await {
                        Ok(page) if page.entries.is_empty() => view! {
                            <section class="card empty"><p>{if f.narrowed() {
                                "No entry matches these filters."
                            } else {
                                "Nothing recorded yet: entries appear as admins and sellers make changes."
                            }}</p></section>
                        }.into_any(),
                        Ok(page) => {
                            let next = page.next.as_deref().map(|a| f.href(a));
                            view! {
                                <AuditTrail entries=page.entries/>
                                {next.map(|href| view! { <p><a class="button button--secondary" href=href>"Older entries"</a></p> })}
                            }.into_any()
                        }
                        Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminShell>
    }
    .into_any()
}

#[component]
fn AuditFilters(filter: AuditFilter) -> impl IntoView {
    view! {
        <form method="get" action="/admin/audit" class="filters card" role="search" aria-label="Search the audit log">
            {filter.actor.map(|a| view! { <input type="hidden" name="actor" value=a.to_string()/> })}
            {(!filter.subject_kind.is_empty()).then(|| view! {
                <input type="hidden" name="kind" value=filter.subject_kind.clone()/>
                <input type="hidden" name="subject" value=filter.subject_id.clone()/>
            })}
            <div class="field">
                <label for="audit-q">"Words"</label>
                <input id="audit-q" name="q" type="search" value=filter.q.clone() placeholder="A name, a store, a reason"/>
            </div>
            <div class="field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" name="action">
                    <option value="">"Every action"</option>
                    {AuditAction::ALL.into_iter().map(|a| view! {
                        <option value=a.as_str() selected=filter.action == a.as_str()>{a.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <DaysAndSearch id="audit" from_label="From" to_label="Until" from=filter.from.clone() to=filter.to.clone()
                narrowed=filter.narrowed() cleared="/admin/audit".to_string()/>
        </form>
    }
}

/// Entries of the audit log as a list: when, who (with the session), what, to which thing, and each field's
/// before → after.
#[component]
pub fn AuditTrail(entries: Vec<AuditEntryView>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p>"Nothing recorded."</p> }.into_any();
    }
    view! {
        <ol class="plain-list stack audit">
            {entries.into_iter().map(|e| view! { <AuditItem entry=e/> }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn AuditItem(entry: AuditEntryView) -> impl IntoView {
    let at = model::format_time(entry.at);
    let who = match entry.actor_id {
        Some(id) => view! { <a href=format!("/admin/users/{id}")>{entry.actor_name.clone()}</a> }.into_any(),
        None => view! { <span>{entry.actor_name.clone()}</span> }.into_any(),
    };
    let subject = view! { <a href=entry.subject_href()>{entry.subject_label.clone()}</a> };
    view! {
        <li class="card stack">
            <p><strong>{entry.action.label()}</strong>": "{subject}</p>
            <p class="muted">
                <time datetime=at.clone()>{at.clone()}</time>" · by "{who}{format!(" ({})", entry.actor_role)}
                {entry.session.clone().map(|s| view! { " · session " <code>{s}</code> })}
            </p>
            {(!entry.changes.is_empty()).then(|| view! {
                <table class="table table--compact">
                    <caption class="visually-hidden">"What changed"</caption>
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>
                        {entry.changes.iter().map(|c| view! {
                            <tr>
                                <th scope="row">{c.field.clone()}</th>
                                <td data-label="Before">{if c.before.is_empty() { "—".to_string() } else { c.before.clone() }}</td>
                                <td data-label="After">{if c.after.is_empty() { "—".to_string() } else { c.after.clone() }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!entry.reason.is_empty()).then(|| view! { <p>"Reason: "{entry.reason.clone()}</p> })}
        </li>
    }
}
