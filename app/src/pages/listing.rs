//! The search results page and category pages: one listing with filters carried in the URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use model::catalog::{Facet, FacetKind, SearchQuery, Sort};

use crate::api::catalog::{listing, ListingData, ListingParams};
use crate::components::catalog::{Breadcrumbs, ProductGrid, ReturnsNote};
use crate::components::store_ratings::StoreRatingSummary;
use crate::error::AppError;
use crate::pages::errors::{LoadError, NotFoundPage};

const KEYS: [&str; 12] = [
    "q",
    "category",
    "seller",
    "price_min",
    "price_max",
    "rating",
    "store_rating",
    "in_stock",
    "attr",
    "page",
    "per_page",
    "sort",
];

fn url_pairs() -> Vec<(String, String)> {
    let query = use_query_map();
    query.with_untracked(|q| {
        KEYS.iter()
            .flat_map(|k| {
                q.get_all(k)
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |v| (k.to_string(), v))
            })
            .collect()
    })
}

fn href(base: &str, pairs: &[(String, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::url_encode(v)))
        .collect();
    if parts.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", parts.join("&"))
    }
}

/// The URL of this listing with `page` replaced.
fn page_href(base: &str, pairs: &[(String, String)], page: u32) -> String {
    let mut kept: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "page").cloned().collect();
    if page > 1 {
        kept.push(("page".into(), page.to_string()));
    }
    href(base, &kept)
}

/// The URL after choosing (or, when `selected`, removing) one facet value; always back to page 1.
fn facet_href(base: &str, pairs: &[(String, String)], kind: FacetKind, value: &str, selected: bool) -> String {
    let attr_name = value.split_once(':').map_or(value, |(n, _)| n);
    let replaced = |k: &str, v: &str| match kind {
        FacetKind::Category => k == "category",
        FacetKind::Seller => k == "seller",
        FacetKind::Price => k == "price_min" || k == "price_max",
        FacetKind::Rating => k == "rating",
        FacetKind::StoreRating => k == "store_rating",
        FacetKind::InStock => k == "in_stock",
        FacetKind::Attribute => k == "attr" && v.split_once(':').map_or(v, |(n, _)| n) == attr_name,
    };
    let mut kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| k != "page" && !replaced(k, v))
        .cloned()
        .collect();
    if !selected {
        match kind {
            FacetKind::Price => {
                let (min, max) = value.split_once('-').unwrap_or((value, ""));
                kept.push(("price_min".into(), min.to_string()));
                kept.push(("price_max".into(), max.to_string()));
            }
            FacetKind::Category => {
                // On a category page the subcategory has its own page; elsewhere it is a filter.
                if base.starts_with("/c/") {
                    return href(&format!("/c/{value}"), &kept);
                }
                kept.push(("category".into(), value.to_string()));
            }
            FacetKind::Seller => kept.push(("seller".into(), value.to_string())),
            FacetKind::Rating => kept.push(("rating".into(), value.to_string())),
            FacetKind::StoreRating => kept.push(("store_rating".into(), value.to_string())),
            FacetKind::InStock => kept.push(("in_stock".into(), value.to_string())),
            FacetKind::Attribute => kept.push(("attr".into(), value.to_string())),
        }
    }
    href(base, &kept)
}

#[component]
fn Facets(facets: Vec<Facet>, base: String, pairs: Vec<(String, String)>, in_store: bool) -> impl IntoView {
    let facets: Vec<Facet> = facets
        .into_iter()
        // On a store's page the store is chosen: its own rating is shown above, not as a filter.
        .filter(|f| !(in_store && matches!(f.kind, FacetKind::Seller | FacetKind::StoreRating)))
        .collect();
    (!facets.is_empty()).then(|| view! {
        <nav class="facets" aria-label="Refine results">
            {facets.into_iter().enumerate().map(|(i, facet)| {
                let kind = facet.kind;
                let heading_id = format!("facet-{i}");
                let labelled_by = heading_id.clone();
                view! {
                    <section class="facet" aria-labelledby=labelled_by>
                        <h2 class="facet__title" id=heading_id>{facet_title(&facet)}</h2>
                        <ul class="facet__values">
                            {facet.values.into_iter().map(|v| {
                                let link = facet_href(&base, &pairs, kind, &v.value, v.selected);
                                let worded = value_label(kind, &v);
                                let label = if v.selected { format!("{worded} (remove)") } else { worded.clone() };
                                view! {
                                    <li>
                                        <a class="facet__link" class:facet__link--on=v.selected
                                            href=link aria-current=v.selected.then_some("true")
                                            aria-label=format!("{label}, {} results", v.count)>
                                            <span class="facet__box" aria-hidden="true">{if v.selected { "✓" } else { "" }}</span>
                                            <span class="facet__label">{worded}</span>
                                            <span class="facet__count" aria-hidden="true">{v.count}</span>
                                        </a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }
            }).collect_view()}
        </nav>
    })
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
        store_ratings,
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
    let degraded = results.degraded;
    let facets = results.facets.clone();
    view! {
        <Title text=heading.clone()/>
        {category.clone().map(|(c, _, trail)| {
            let parents: Vec<_> = trail.into_iter().filter(|t| t.id != c.id).collect();
            view! { <Breadcrumbs trail=parents current=c.name/> }
        })}
        {store.as_ref().and_then(|s| s.logo_url.clone().map(|url| {
            let alt = format!("{} logo", s.store_name);
            view! { <img class="store-logo" src=url alt=alt width="80" height="80"/> }
        }))}
        <h1 class="page-title">{heading}</h1>
        {store.map(|s| view! { <p class="lead">{s.description}</p> <ReturnsNote returns=s.returns/> })}
        {store_ratings.map(|ratings| view! { <StoreRatingSummary ratings=ratings/> })}
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
                {query.attrs.iter().map(|(n, v)| view! { <input type="hidden" name="attr" value=format!("{n}:{v}")/> }).collect_view()}
                {query.rating_min.map(|r| view! { <input type="hidden" name="rating" value=r.to_string()/> })}
                {query.store_rating_min.map(|r| view! { <input type="hidden" name="store_rating" value=r.to_string()/> })}
                {query.in_stock.then(|| view! { <input type="hidden" name="in_stock" value="1"/> })}
                <button class="button" type="submit">"Apply filters"</button>
                <Facets facets=facets base=base.clone() pairs=pairs.clone() in_store=in_store/>
            </form>
            <section class="results" aria-label="Results">
                {degraded.then(|| view! {
                    <p class="alert alert--warning" role="status" data-degraded="true">
                        "Search is running in a simpler mode right now, so results may be incomplete: spelling mistakes are not corrected and filters cannot show counts."
                    </p>
                })}
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

    #[test]
    fn facet_links_replace_their_own_filter_and_keep_the_others() {
        let pairs = vec![
            ("q".to_string(), "mug".to_string()),
            ("attr".to_string(), "Colour:Blue".to_string()),
            ("attr".to_string(), "Brand:Orca".to_string()),
            ("page".to_string(), "4".to_string()),
        ];
        assert_eq!(
            facet_href("/search", &pairs, FacetKind::Attribute, "Colour:White", false),
            "/search?q=mug&attr=Brand%3AOrca&attr=Colour%3AWhite"
        );
        assert_eq!(
            facet_href("/search", &pairs, FacetKind::Attribute, "Brand:Orca", true),
            "/search?q=mug&attr=Colour%3ABlue"
        );
        assert_eq!(
            facet_href("/search", &pairs, FacetKind::Price, "25-50", false),
            "/search?q=mug&attr=Colour%3ABlue&attr=Brand%3AOrca&price_min=25&price_max=50"
        );
        assert_eq!(
            facet_href("/c/home", &pairs, FacetKind::Category, "mugs", false),
            "/c/mugs?q=mug&attr=Colour%3ABlue&attr=Brand%3AOrca"
        );
    }
}

/// A facet's heading: the page's words for the fixed facets, the attribute's own name for attributes.
fn facet_title(facet: &model::catalog::Facet) -> String {
    use model::catalog::FacetKind;
    match facet.kind {
        FacetKind::Category => "Category".to_string(),
        FacetKind::Seller => "Seller".to_string(),
        FacetKind::Price => "Price".to_string(),
        FacetKind::Rating => "Customer rating".to_string(),
        FacetKind::StoreRating => "Store rating".to_string(),
        FacetKind::InStock => "Availability".to_string(),
        FacetKind::Attribute => facet.label.clone(),
    }
}

/// A facet value in words: price ranges from their URL value (`10-20`, `200-`), ratings from their stars, names
/// (categories, sellers, attribute values) as they are.
fn value_label(kind: model::catalog::FacetKind, value: &model::catalog::FacetValue) -> String {
    use model::catalog::FacetKind;
    match kind {
        FacetKind::Price => match value.value.split_once('-') {
            Some((from, "")) => format!("${from} and up"),
            Some((from, to)) => format!("${from} to ${to}"),
            None => value.value.clone(),
        },
        FacetKind::Rating => format!("{} stars & up", value.value),
        FacetKind::StoreRating => format!("Stores rated {} stars & up", value.value),
        FacetKind::InStock => "In stock".to_string(),
        _ => value.label.clone(),
    }
}

#[cfg(test)]
mod facet_words_tests {
    use model::catalog::{FacetKind, FacetValue};

    fn value(v: &str) -> FacetValue {
        FacetValue {
            value: v.to_string(),
            label: String::new(),
            count: 1,
            selected: false,
        }
    }

    #[test]
    fn price_and_rating_values_are_worded_from_their_url_values() {
        assert_eq!(super::value_label(FacetKind::Price, &value("10-20")), "$10 to $20");
        assert_eq!(super::value_label(FacetKind::Price, &value("200-")), "$200 and up");
        assert_eq!(super::value_label(FacetKind::Rating, &value("4")), "4 stars & up");
        assert_eq!(
            super::value_label(FacetKind::StoreRating, &value("3")),
            "Stores rated 3 stars & up"
        );
    }
}
