//! `/admin/emails`: every message the shop sends, filled with sample facts: its subject, its plain text and its
//! HTML part (in a frame served, with a policy that lets nothing run, by `/admin/emails/preview/{key}`), and the two text messages.

use leptos::prelude::*;
use leptos_meta::Title;
use model::notifications::MessagePreview;

use crate::api::notifications::message_previews;
use crate::components::portal::{AdminSection, AdminShell};
use crate::pages::admin::admin_gate;

#[component]
pub fn AdminEmailsPage() -> impl IntoView {
    if let Some(instead) = admin_gate("/admin/emails") {
        return instead;
    }
    let show = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("show"));
    view! {
        <Title text="Messages the shop sends"/>
        <AdminShell section=AdminSection::Emails>
        <h1 class="page-title">"Messages the shop sends"</h1>
        <p class="muted">"Each email goes as plain text and as HTML made from the same words. The facts are samples."</p>
        <Suspense fallback=|| ()>
            {let show = show.clone(); Suspend::new(async move {
                match message_previews().await {
                    Ok(all) => {
                        let chosen = all.iter().find(|p| Some(&p.key) == show.as_ref()).or(all.first()).cloned();
                        view! {
                            <div class="previews">
                                <nav aria-label="Messages" class="card">
                                    <ul class="plain-list">
                                        {all.iter().map(|p| {
                                            let current = chosen.as_ref().is_some_and(|c| c.key == p.key);
                                            view! {
                                                <li><a href=format!("/admin/emails?show={}", p.key)
                                                    aria-current=current.then_some("page")>{p.name.clone()}</a></li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </nav>
                                {chosen.map(|p| view! { <Preview preview=p/> })}
                            </div>
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
fn Preview(preview: MessagePreview) -> impl IntoView {
    let text_message = preview.html.is_empty();
    view! {
        <section class="card stack" aria-labelledby="preview-title">
            <h2 id="preview-title">{preview.name.clone()}</h2>
            {(!text_message).then(|| view! { <p><strong>"Subject: "</strong>{preview.subject.clone()}</p> })}
            <h3>{if text_message { "Text message" } else { "Plain text" }}</h3>
            <pre class="mail-text" tabindex="0" aria-label="Plain text">{preview.text.clone()}</pre>
            {(!text_message).then(|| view! {
                <h3>"HTML"</h3>
                <iframe
                    class="mail-frame"
                    src=format!("/admin/emails/preview/{}", preview.key)
                    title=format!("HTML version of: {}", preview.name)
                ></iframe>
            })}
        </section>
    }
}
