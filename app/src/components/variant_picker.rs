use leptos::prelude::*;
use model::catalog::VariantView;

use crate::pages::product::stock_label;

fn stock_class(available: i64) -> &'static str {
    if available > 0 {
        "stock"
    } else {
        "stock stock--out"
    }
}

/// Picks a variant by its option values and shows that variant's price, compare-at price, SKU and stock.
/// An island: the radios work without JS, the price and stock follow the choice once hydrated.
#[island]
pub fn VariantPicker(variants: Vec<VariantView>) -> impl IntoView {
    if variants.is_empty() {
        return view! { <p class="stock stock--out">"Not available"</p> }.into_any();
    }
    let initial = variants.iter().position(|v| v.available > 0).unwrap_or(0);
    let selected = RwSignal::new(initial);
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
    let all = StoredValue::new(variants.clone());
    let current = move || all.with_value(|v| v[selected.get().min(v.len() - 1)].clone());
    view! {
        <fieldset class="variant-picker">
            <legend>{legend}</legend>
            <div class="variant-picker__choices">
                {variants.into_iter().enumerate().map(|(i, v)| {
                    let label = if v.options.is_empty() {
                        v.title.clone()
                    } else {
                        v.options.iter().map(|(_, value)| value.clone()).collect::<Vec<_>>().join(" / ")
                    };
                    let sold_out = v.available <= 0;
                    view! {
                        <label class="variant-choice" class:variant-choice--sold-out=sold_out>
                            <input
                                type="radio"
                                name="variant"
                                value=v.id.to_string()
                                checked=i == initial
                                on:change=move |_| selected.set(i)
                            />
                            <span>{label}</span>
                            {sold_out.then(|| view! { <span class="visually-hidden">" (sold out)"</span> })}
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
        <p class="price price--large" aria-live="polite">
            <span>{move || current().price.display()}</span>
            {move || current().compare_at_price.map(|c| view! {
                <s class="price price--was"><span class="visually-hidden">"was "</span>{c.display()}</s>
            })}
        </p>
        <p class=move || stock_class(current().available) aria-live="polite">
            {move || stock_label(current().available)}
        </p>
        <p class="variant__sku">"SKU " <span>{move || current().sku}</span></p>
    }
    .into_any()
}
