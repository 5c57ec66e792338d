use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::api::catalog::home_data;
use crate::components::catalog::ProductGrid;
use crate::components::discovery::RecentlyViewed;
use crate::pages::errors::LoadError;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="A marketplace of independent sellers"/>
        // The site's description here only: a product page carries its own (its SEO description), never two.
        <Meta name="description" content="Bazaar: a marketplace of independent sellers."/>
        <section class="hero hero--compact" aria-labelledby="hero-title">
            <h1 id="hero-title">"Everything from independent sellers, in one cart."</h1>
            <p>"Bazaar brings hundreds of small shops together: browse, compare and check out once."</p>
        </section>
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match home_data().await {
                    Ok(data) => {
                        let roots: Vec<_> = data.categories.iter().filter(|c| c.parent_id.is_none()).cloned().collect();
                        view! {
                            <section aria-labelledby="categories-title" class="section">
                                <h2 id="categories-title">"Shop by category"</h2>
                                <ul class="category-tiles">
                                    {roots.into_iter().map(|c| view! {
                                        <li><a class="category-tile" href=format!("/c/{}", c.slug)>{c.name}</a></li>
                                    }).collect_view()}
                                </ul>
                            </section>
                            <section aria-labelledby="new-title" class="section">
                                <h2 id="new-title">"New arrivals"</h2>
                                <ProductGrid products=data.new_arrivals/>
                            </section>
                            <section aria-labelledby="top-title" class="section">
                                <h2 id="top-title">"Top rated"</h2>
                                <ProductGrid products=data.top_rated/>
                            </section>
                            <RecentlyViewed/>
                        }.into_any()
                    }
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
