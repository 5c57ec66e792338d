use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::admin_overview;
use crate::pages::errors::ForbiddenPage;

#[component]
pub fn AdminPage() -> impl IntoView {
    let Some(user) = crate::request_user() else {
        #[cfg(feature = "ssr")]
        crate::ssr::page_redirect("/login?next=%2Fadmin");
        return ().into_any();
    };
    if !user.is_admin() {
        return view! { <ForbiddenPage/> }.into_any();
    }
    let overview = Resource::new_blocking(|| (), |_| admin_overview());
    view! {
        <Title text="Admin dashboard"/>
        <h1 class="page-title">"Admin dashboard"</h1>
        <p class="lead">"Signed in as " {user.name.clone()} "."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <section class="card" aria-labelledby="people-title">
                            <h2 id="people-title">"People"</h2>
                            <dl class="details">
                                <dt>"Shoppers"</dt><dd>{o.shoppers}</dd>
                                <dt>"Sellers"</dt><dd>{o.sellers}</dd>
                                <dt>"Admins"</dt><dd>{o.admins}</dd>
                                <dt>"Signed-in sessions"</dt><dd>{o.active_sessions}</dd>
                            </dl>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
