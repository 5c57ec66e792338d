//! The search results page and category pages: one listing with filters carried in the URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use model::catalog::{SearchQuery, Sort};

use crate::api::catalog::{listing, ListingData, ListingParams};
use crate::components::catalog::{Breadcrumbs, ProductGrid};
use crate::error::AppError;
use crate::pages::errors::{LoadError, NotFoundPage};

const KEYS: [&str; 8] = [
    "q",
    "category",
    "seller",
    "price_min",
    "price_max",
    "page",
    "per_page",
    "sort",
];

fn url_pairs() -> Vec<(String, String)> {
    let query = use_query_map();
    query.with_untracked(|q| {
        KEYS.iter()
            .filter_map(|k| q.get(k).map(|v| (k.to_string(), v)))
            .collect()
    })
}

/// The URL of this listing with `page` replaced.
fn page_href(base: &str, pairs: &[(String, String)], page: u32) -> String {
    let mut parts: Vec<String> = pairs
        .iter()
        .filter(|(k, v)| k != "page" && !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::url_encode(v)))
        .collect();
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", parts.join("&"))
    }
}

fn price_text(minor: Option<i64>) -> String {
    minor
        .map(|m| {
            if m % 100 == 0 {
                (m / 100).to_string()
            } else {
                format!("{}.{:02}", m / 100, m % 100)
            }
        })
        .unwrap_or_default()
}

#[component]
pub fn SearchPage() -> impl IntoView {
    view! { <Listing category_slug=None store_slug=None/> }
}

#[component]
pub fn StorePage() -> impl IntoView {
    let slug = use_params_map().with_untracked(|p| p.get("slug"));
    view! { <Listing category_slug=None store_slug=slug/> }
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    let slug = use_params_map().with_untracked(|p| p.get("slug"));
    view! { <Listing category_slug=slug store_slug=None/> }
}

#[component]
fn Listing(category_slug: Option<String>, store_slug: Option<String>) -> impl IntoView {
    let pairs = url_pairs();
    let base = match (&category_slug, &store_slug) {
        (Some(slug), _) => format!("/c/{slug}"),
        (None, Some(slug)) => format!("/store/{slug}"),
        (None, None) => "/search".to_string(),
    };
    view! {
        <Suspense fallback=|| ()>
            {let pairs = pairs.clone(); let base = base.clone(); let category_slug = category_slug.clone(); let store_slug = store_slug.clone();
            Suspend::new(async move {
                match listing(ListingParams { pairs: pairs.clone() }, category_slug.clone(), store_slug.clone()).await {
                    Ok(data) => view! { <ListingView data=data pairs=pairs base=base/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(AppError::Validation(fields)) => view! {
                        <Title text="Check your search"/>
                        <h1 class="page-title">"Check your search"</h1>
                        <div class="alert alert--error" role="alert">
                            <p>"Some filters could not be used:"</p>
                            <ul>{fields.into_iter().map(|f| view! { <li>{f.message}</li> }).collect_view()}</ul>
                        </div>
                        <p><a class="button" href=base.clone()>"Start a new search"</a></p>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListingView(data: ListingData, pairs: Vec<(String, String)>, base: String) -> impl IntoView {
    let ListingData {
        categories,
        query,
        results,
        category,
        store,
    } = data;
    let SearchQuery {
        q,
        price_min,
        price_max,
        sort,
        ..
    } = query.clone();
    let heading = match (&category, &store, &q) {
        (Some((c, _, _)), _, _) => c.name.clone(),
        (None, Some(s), _) => s.store_name.clone(),
        (None, None, Some(q)) => format!("Results for “{q}”"),
        (None, None, None) => "All products".to_string(),
    };
    let in_store = store.is_some();
    let pages = ((results.total + i64::from(results.per_page) - 1) / i64::from(results.per_page)).max(1) as u32;
    let page = results.page;
    let total = results.total;
    let empty = results.items.is_empty();
    let in_category = category.is_some();
    view! {
        <Title text=heading.clone()/>
        {category.clone().map(|(c, _, trail)| {
            let parents: Vec<_> = trail.into_iter().filter(|t| t.id != c.id).collect();
            view! { <Breadcrumbs trail=parents current=c.name/> }
        })}
        <h1 class="page-title">{heading}</h1>
        {store.map(|s| view! { <p class="lead">{s.description}</p> })}
        {category.map(|(_, children, _)| (!children.is_empty()).then(|| view! {
            <nav aria-label="Subcategories">
                <ul class="chips">
                    {children.into_iter().map(|c| view! { <li><a class="chip" href=format!("/c/{}", c.slug)>{c.name}</a></li> }).collect_view()}
                </ul>
            </nav>
        }))}
        <div class="listing">
            <form class="filters card" method="get" action=base.clone() aria-label="Filters">
                <div class="field">
                    <label for="filter-q">{if in_store { "Search this store" } else { "Keywords" }}</label>
                    <input id="filter-q" type="search" name="q" value=q.clone().unwrap_or_default() maxlength="200"/>
                </div>
                {(!in_category).then(|| view! {
                    <div class="field">
                        <label for="filter-category">"Category"</label>
                        <select id="filter-category" name="category">
                            <option value="">"All categories"</option>
                            {categories.iter().map(|c| {
                                let selected = query.category.as_deref() == Some(c.slug.as_str());
                                let label = if c.parent_id.is_some() { format!("— {}", c.name) } else { c.name.clone() };
                                view! { <option value=c.slug.clone() selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })}
                {query.seller.clone().filter(|_| !in_store).map(|s| view! { <input type="hidden" name="seller" value=s/> })}
                <div class="field-row">
                    <div class="field">
                        <label for="filter-min">"Min price"</label>
                        <input id="filter-min" name="price_min" inputmode="decimal" value=price_text(price_min)/>
                    </div>
                    <div class="field">
                        <label for="filter-max">"Max price"</label>
                        <input id="filter-max" name="price_max" inputmode="decimal" value=price_text(price_max)/>
                    </div>
                </div>
                <div class="field">
                    <label for="filter-sort">"Sort by"</label>
                    <select id="filter-sort" name="sort">
                        {Sort::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=s == sort>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button class="button" type="submit">"Apply filters"</button>
            </form>
            <section class="results" aria-label="Results">
                <p class="results__count" role="status">{format!("{total} {}", if total == 1 { "product" } else { "products" })}</p>
                {if empty {
                    view! {
                        <div class="empty card">
                            <h2>"No products match"</h2>
                            <p>"Try fewer or different words, widen the price range, or browse a category."</p>
                            <p><a class="button button--secondary" href=base.clone()>"Clear all filters"</a></p>
                            <ul class="chips">
                                {categories.iter().filter(|c| c.parent_id.is_none()).map(|c| view! {
                                    <li><a class="chip" href=format!("/c/{}", c.slug)>{c.name.clone()}</a></li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }.into_any()
                } else {
                    view! { <ProductGrid products=results.items/> }.into_any()
                }}
                {(pages > 1).then(|| view! {
                    <nav class="pagination" aria-label="Pages">
                        {(page > 1).then(|| view! { <a class="button button--secondary" rel="prev" href=page_href(&base, &pairs, page - 1)>"Previous"</a> })}
                        <span>{format!("Page {page} of {pages}")}</span>
                        {(page < pages).then(|| view! { <a class="button button--secondary" rel="next" href=page_href(&base, &pairs, page + 1)>"Next"</a> })}
                    </nav>
                })}
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters_and_replace_the_page() {
        let pairs = vec![
            ("q".to_string(), "red mug".to_string()),
            ("page".to_string(), "2".to_string()),
        ];
        assert_eq!(page_href("/search", &pairs, 3), "/search?q=red+mug&page=3");
        assert_eq!(page_href("/search", &pairs, 1), "/search?q=red+mug");
    }
}
