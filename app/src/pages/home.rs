use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="A marketplace of independent sellers"/>
        <section class="hero" aria-labelledby="hero-title">
            <h1 id="hero-title">"Everything from independent sellers, in one cart."</h1>
            <p>"Bazaar brings hundreds of small shops together: browse, compare and check out once."</p>
            <a class="button" href="/register">"Create your account"</a>
        </section>
        <section class="features" aria-label="Why Bazaar">
            <div class="card feature">
                <h2>"One cart, many sellers"</h2>
                <p>"Buy from several shops at once; each ships your items with its own option."</p>
            </div>
            <div class="card feature">
                <h2>"Honest stock"</h2>
                <p>"What you see in stock is reserved when you order: no overselling, no surprises."</p>
            </div>
            <div class="card feature">
                <h2>"Sell with us"</h2>
                <p>"Open a store, list your products and manage stock and orders from the seller portal."</p>
            </div>
        </section>
    }
}
