//! The header search box. Without JavaScript it is a plain GET form to /search; as an island it offers products
//! and categories while typing, following the ARIA combobox pattern (arrow keys, Enter, Escape).

use std::time::Duration;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::catalog::Suggestion;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::catalog::Suggest;

const LIST_ID: &str = "search-suggestions";
/// Typing pauses shorter than this send no request: one request per pause, not per key.
const DEBOUNCE: Duration = Duration::from_millis(150);

fn option_id(i: usize) -> String {
    format!("search-suggestion-{i}")
}

/// Asks the `suggest` server function (a GET) with the browser's own fetch and reads the JSON with the browser's
/// own parser: the island then needs neither serde nor the server-function client in the bundle (decision 0008).
/// Any failure means no suggestions; the form still searches.
async fn fetch_suggestions(text: &str) -> Vec<Suggestion> {
    let url = format!(
        "{}?q={}",
        Suggest::url(),
        String::from(js_sys::encode_uri_component(text))
    );
    let Ok(answer) = JsFuture::from(window().fetch_with_str(&url)).await else {
        return Vec::new();
    };
    let Some(json) = answer
        .dyn_into::<web_sys::Response>()
        .ok()
        .filter(web_sys::Response::ok)
        .and_then(|r| r.json().ok())
    else {
        return Vec::new();
    };
    let Ok(list) = JsFuture::from(json).await else {
        return Vec::new();
    };
    let text_of = |item: &JsValue, key: &str| {
        js_sys::Reflect::get(item, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    js_sys::Array::from(&list)
        .iter()
        .map(|item| Suggestion {
            label: text_of(&item, "label"),
            url: text_of(&item, "url"),
            kind: text_of(&item, "kind"),
        })
        .filter(|s| s.url.starts_with('/'))
        .collect()
}

#[island]
pub fn SearchBox() -> impl IntoView {
    let items = RwSignal::new(Vec::<Suggestion>::new());
    let active = RwSignal::new(None::<usize>);
    let open = RwSignal::new(false);
    // Each keystroke bumps the generation; an answer for an older generation is dropped, so a slow response
    // never overwrites the suggestions for what is typed now.
    let generation = StoredValue::new(0u64);
    let pending = StoredValue::new(None::<TimeoutHandle>);

    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        if text.trim().is_empty() {
            items.set(Vec::new());
            open.set(false);
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    let found = fetch_suggestions(&text).await;
                    if generation.get_value() == mine {
                        open.set(!found.is_empty());
                        active.set(None);
                        items.set(found);
                    }
                });
            },
            DEBOUNCE,
        )
        .ok();
        pending.set_value(handle);
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = items.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            // The first Escape closes the list (and must not also clear the field, as a search input does by
            // default); a second one clears the field.
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                open.set(false);
                active.set(None);
            }
            "Enter" => {
                let chosen = active
                    .get_untracked()
                    .filter(|_| open.get_untracked())
                    .and_then(|i| items.with_untracked(|list| list.get(i).map(|s| s.url.clone())));
                if let Some(url) = chosen {
                    ev.prevent_default();
                    let _ = window().location().set_href(&url);
                }
            }
            _ => {}
        }
    };

    view! {
        <form class="search-form" role="search" action="/search" method="get">
            <label class="visually-hidden" for="site-search">"Search products"</label>
            <div class="search-form__field">
                <input
                    id="site-search"
                    type="search"
                    name="q"
                    placeholder="Search products, brands and stores"
                    autocomplete="off"
                    maxlength="200"
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls=LIST_ID
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-activedescendant=move || active.get().filter(|_| open.get()).map(option_id)
                    on:input=on_input
                    on:keydown=on_keydown
                    on:blur=move |_| {
                        // Later than a press on a suggestion, which must still reach it.
                        set_timeout(move || open.set(false), Duration::from_millis(200));
                    }
                />
                <ul id=LIST_ID class="suggestions" role="listbox" aria-label="Suggestions" hidden=move || !open.get()>
                    {move || items.get().into_iter().enumerate().map(|(i, s)| {
                        let selected = move || active.get() == Some(i);
                        // An option is not a link (a link inside an option is a control inside a control, which
                        // screen readers announce badly): choosing it with the pointer goes to its page, as
                        // Enter does. On mousedown, before the field's blur closes the list.
                        let url = s.url.clone();
                        let choose = move |ev: leptos::ev::MouseEvent| {
                            ev.prevent_default();
                            let _ = window().location().set_href(&url);
                        };
                        view! {
                            <li id=option_id(i) role="option" aria-selected=move || if selected() { "true" } else { "false" }
                                class="suggestion" class:suggestion--active=selected on:mousedown=choose>
                                <span class="suggestion__label">{s.label.clone()}</span>
                                <span class="suggestion__kind">{s.kind.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
            <span class="visually-hidden" aria-live="polite">
                {move || {
                    let n = items.with(Vec::len);
                    if open.get() && n > 0 { format!("{n} suggestions, use the arrow keys to choose") } else { String::new() }
                }}
            </span>
            <button class="button" type="submit">"Search"</button>
        </form>
    }
}
