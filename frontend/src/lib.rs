//! The browser entry. Only `#[island]` components of the `app` crate are hydrated.

// The app crate must be linked, or wasm-bindgen does not export its islands ("_island_… is not a function").
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
