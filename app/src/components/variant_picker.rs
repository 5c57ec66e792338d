use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::cart::MAX_QUANTITY;
use model::catalog::VariantView;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::cart::{AddToCart, AddToCartInline, LINE_FIELDS};
use crate::components::layout::cart_count_label;
use crate::error::AppError;
use model::catalog::stock_label;

fn stock_class(available: i64) -> &'static str {
    if available > 0 {
        "stock"
    } else {
        "stock stock--out"
    }
}

/// The buy box: picks a variant by its option values, shows that variant's price, its "was" price (decision 0042),
/// SKU and stock, and adds it to the cart. Rendered on the server with each variant's figures on its radio button; the
/// `PurchaseForm` island copies the chosen one's figures into the visible lines and adds to the cart without a
/// page load. Without JS the radios and the form still work (the post lands on the cart page).
#[component]
pub fn VariantPicker(variants: Vec<VariantView>, error: Option<AppError>) -> impl IntoView {
    if variants.is_empty() {
        return view! { <p class="stock stock--out">"Not available"</p> }.into_any();
    }
    let initial = variants.iter().position(|v| v.sellable() > 0).unwrap_or(0);
    let legend = variants[0]
        .options
        .iter()
        .map(|(name, _)| name.clone())
        .collect::<Vec<_>>()
        .join(" / ");
    let legend = if legend.is_empty() {
        "Option".to_string()
    } else {
        legend
    };
    let current = variants[initial].clone();
    let compare = current.was_price.as_ref().map(|c| c.display());
    let message = error.map(|e| e.message_for(&LINE_FIELDS));
    view! {
        <PurchaseForm>
            <form method="post" action=AddToCart::url() data-inline=AddToCartInline::url() class="purchase" aria-label="Add to cart">
                <fieldset class="variant-picker">
                    <legend>{legend}</legend>
                    <div class="variant-picker__choices">
                        {variants.into_iter().enumerate().map(|(i, v)| {
                            let label = v.label();
                            let sold_out = v.sellable() <= 0;
                            view! {
                                <label class="variant-choice" class:variant-choice--sold-out=sold_out>
                                    <input
                                        type="radio"
                                        name="variant"
                                        value=v.id.to_string()
                                        checked=i == initial
                                        data-price=v.price.display()
                                        data-compare=v.was_price.as_ref().map(|c| c.display()).unwrap_or_default()
                                        data-stock=stock_label(v.available, v.keep_selling)
                                        data-stock-class=stock_class(v.sellable())
                                        data-sku=v.sku.clone()
                                        data-available=v.sellable().clamp(0, MAX_QUANTITY).to_string()
                                    />
                                    <span>{label}</span>
                                    {sold_out.then(|| view! { <span class="visually-hidden">" (sold out)"</span> })}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <p class="price price--large" aria-live="polite">
                    <span data-show="price">{current.price.display()}</span>
                    <span class="price--was" hidden=compare.is_none()>
                        <s><span class="visually-hidden">"was "</span><span data-show="compare">{compare.clone()}</span></s>
                        " " <span class="price__note">"lowest price of the 30 days before"</span>
                    </span>
                </p>
                <p class=stock_class(current.sellable()) data-show="stock" aria-live="polite">
                    {stock_label(current.available, current.keep_selling)}
                </p>
                <p class="variant__sku">"SKU " <span data-show="sku">{current.sku.clone()}</span></p>
                <div class="purchase__row">
                    <label class="purchase__quantity">
                        "Quantity"
                        <input
                            name="quantity"
                            type="number"
                            inputmode="numeric"
                            min="1"
                            // Not the stock: the server's answer says how many are left counting what is
                            // already in the cart, which the browser's own range message cannot.
                            max=MAX_QUANTITY.to_string()
                            value="1"
                            required=true
                        />
                    </label>
                    <button class="button" type="submit" disabled={current.sellable() <= 0}>"Add to cart"</button>
                </div>
                <p class="purchase__message" role="status" data-show="message">{message}</p>
            </form>
        </PurchaseForm>
    }
    .into_any()
}

/// Follows the chosen radio (copies its `data-*` figures into the `data-show` elements, disables the button for
/// a sold-out variant) and sends the form with `fetch`, updating the header's cart count from the answer. It
/// works on the DOM the server rendered, so it takes no props and the bundle needs no serde (decision 0008).
#[island]
pub fn PurchaseForm(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let on_change = move |ev: leptos::ev::Event| {
        let (Some(root), Some(radio)) = (
            root.get_untracked(),
            ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()),
        ) else {
            return;
        };
        if radio.get_attribute("name").as_deref() != Some("variant") {
            return;
        }
        // Copies the radio's attribute into the element showing it; returns that element.
        let show = |what: &str, attr: &str| {
            let el = root.query_selector(&format!("[data-show={what}]")).ok().flatten()?;
            el.set_text_content(radio.get_attribute(attr).as_deref());
            Some(el)
        };
        show("price", "data-price");
        show("sku", "data-sku");
        if let Some(stock) = show("stock", "data-stock") {
            let _ = stock.set_attribute("class", &radio.get_attribute("data-stock-class").unwrap_or_default());
        }
        show("compare", "data-compare");
        set_hidden(
            &root,
            ".price--was",
            radio.get_attribute("data-compare").unwrap_or_default().is_empty(),
        );
        let available = radio.get_attribute("data-available").unwrap_or_default();
        if let Ok(Some(button)) = root.query_selector("button[type=submit]") {
            let _ = if available == "0" {
                button.set_attribute("disabled", "")
            } else {
                button.remove_attribute("disabled")
            };
        }
        say(&root, "");
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let (Some(root), Some(form)) = (
            root.get_untracked(),
            ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()),
        ) else {
            return;
        };
        let Some(body) = web_sys::FormData::new_with_form(&form)
            .ok()
            .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok())
        else {
            return; // the browser posts the form itself
        };
        let button = root.query_selector("button[type=submit]").ok().flatten();
        let Some(action) = form.get_attribute("data-inline") else {
            return;
        };
        ev.prevent_default();
        if let Some(b) = &button {
            let _ = b.set_attribute("disabled", "");
        }
        leptos::task::spawn_local(async move {
            let text = match post_form(&action, &body).await {
                Ok(count) => {
                    set_cart_count(count);
                    "Added to your cart.".to_string()
                }
                Err(message) => message,
            };
            say(&root, &text);
            if let Some(b) = button {
                let _ = b.remove_attribute("disabled");
            }
        });
    };
    view! {
        <div class="purchase-island" node_ref=root on:change=on_change on:submit=on_submit>
            {children()}
        </div>
    }
}

fn set_hidden(root: &web_sys::Element, selector: &str, hidden: bool) {
    if let Ok(Some(el)) = root.query_selector(selector) {
        let _ = if hidden {
            el.set_attribute("hidden", "")
        } else {
            el.remove_attribute("hidden")
        };
    }
}

fn say(root: &web_sys::Element, text: &str) {
    if let Ok(Some(el)) = root.query_selector("[data-show=message]") {
        el.set_text_content(Some(text));
    }
}

fn set_cart_count(count: i64) {
    if let Ok(Some(el)) = document().query_selector("[data-cart-count]") {
        el.set_text_content(Some(&count.to_string()));
        let _ = el.set_attribute("aria-label", &cart_count_label(count));
    }
}

/// Posts the form as `application/x-www-form-urlencoded` (what server functions read) to the inline endpoint and
/// returns the cart's new item count, or the message to show: the shop's refusal (an ordinary 200 answer,
/// `AddOutcome`), else a general one for a failed request.
async fn post_form(url: &str, body: &web_sys::UrlSearchParams) -> Result<i64, String> {
    const TRY_AGAIN: &str = "Could not add to your cart. Please try again.";
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    let answer = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| TRY_AGAIN.to_string())?;
    let response = answer
        .dyn_into::<web_sys::Response>()
        .map_err(|_| TRY_AGAIN.to_string())?;
    if !response.ok() {
        return Err(TRY_AGAIN.to_string());
    }
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.map_err(|_| TRY_AGAIN.to_string())?,
        Err(_) => return Err(TRY_AGAIN.to_string()),
    };
    let get = |key: &str| js_sys::Reflect::get(&json, &JsValue::from_str(key)).ok();
    if let Some(refused) = get("refused").and_then(|m| m.as_string()) {
        return Err(refused);
    }
    get("count")
        .and_then(|n| n.as_f64())
        .map(|n| n as i64)
        .ok_or_else(|| TRY_AGAIN.to_string())
}
