use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(404);
    view! {
        <Title text="Page not found"/>
        <section class="error-page">
            <p class="error-page__code" aria-hidden="true">"404"</p>
            <h1 class="page-title">"We could not find that page"</h1>
            <p class="lead">"The link may be old, or the page may have moved."</p>
            <p><a class="button" href="/">"Back to the shop"</a></p>
        </section>
    }
}

#[component]
pub fn ForbiddenPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(403);
    view! {
        <Title text="No access"/>
        <section class="error-page">
            <p class="error-page__code" aria-hidden="true">"403"</p>
            <h1 class="page-title">"This page is not for your account"</h1>
            <p class="lead">"You are signed in, but this area needs other permissions."</p>
            <p><a class="button" href="/">"Back to the shop"</a></p>
        </section>
    }
}

/// Shown when rendering a page failed: only a reference, never the cause.
#[component]
pub fn ServerErrorPage(request_id: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(500);
    view! {
        <Title text="Something went wrong"/>
        <section class="error-page">
            <p class="error-page__code" aria-hidden="true">"500"</p>
            <h1 class="page-title">"Something went wrong"</h1>
            <p class="lead">"We could not finish your request. Please try again in a moment."</p>
            <p>"If it keeps happening, contact support and quote reference " <code>{request_id}</code> "."</p>
            <p><a class="button" href="/">"Back to the shop"</a></p>
        </section>
    }
}

/// A section of a page could not load: the message of the error (never its cause).
#[component]
pub fn LoadError(error: crate::error::AppError) -> impl IntoView {
    view! { <p class="alert alert--error" role="alert">{error.to_string()}</p> }
}
