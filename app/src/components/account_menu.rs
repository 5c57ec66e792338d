use leptos::prelude::*;
use model::UserView;

use crate::api::accounts::Logout;

/// The header's account menu. An island: the button opens the menu only once the page has hydrated, which is
/// also how the end-to-end tests know hydration happened.
#[island]
pub fn AccountMenu(user: UserView) -> impl IntoView {
    let open = RwSignal::new(false);
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if matches!(logout.value().get(), Some(Ok(()))) {
            let _ = window().location().set_href("/");
        }
    });
    // Marks the document once the islands run; the hydration check in the tests reads it.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    let close_on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };
    view! {
        <div class="account-menu" on:keydown=close_on_escape>
            <button
                type="button"
                class="account-menu__button"
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-controls="account-menu-list"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{user.initial()}</span>
                <span class="account-menu__name">{user.name.clone()}</span>
                <span class="visually-hidden">" account menu"</span>
            </button>
            <ul id="account-menu-list" class="account-menu__list" hidden=move || !open.get()>
                <li class="account-menu__who">"Signed in as " {user.email.clone()}</li>
                <li><a href="/account">"Your account"</a></li>
                {user.is_admin().then(|| view! { <li><a href="/admin">"Admin dashboard"</a></li> })}
                <li>
                    <ActionForm action=logout>
                        <button type="submit">"Log out"</button>
                    </ActionForm>
                </li>
            </ul>
        </div>
    }
}

/// Sets `data-hydrated` on the body for pages without an account menu (signed-out visitors).
#[island]
pub fn HydrationMarker() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
