use leptos::prelude::*;
use model::catalog::{CategoryView, ProductCard, ProductDetail, SearchResults, SellerView, Suggestion};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeContent {
    pub categories: Vec<CategoryView>,
    pub new_arrivals: Vec<ProductCard>,
    pub top_rated: Vec<ProductCard>,
}

/// Raw URL parameters of a listing; validated in the domain so bad input becomes a message, not a 500.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingParams {
    pub pairs: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingData {
    pub categories: Vec<CategoryView>,
    pub query: model::catalog::SearchQuery,
    pub results: SearchResults,
    /// The category the listing is scoped to, with its trail and children (category pages).
    pub category: Option<(CategoryView, Vec<CategoryView>, Vec<CategoryView>)>,
    /// The store the listing is scoped to (store pages).
    pub store: Option<SellerView>,
    /// That store's ratings.
    pub store_ratings: Option<model::reviews::StoreRatings>,
}

#[server(endpoint = "home_data")]
pub async fn home_data() -> Result<HomeContent, AppError> {
    use domain::catalog;
    let db = crate::ssr::services()?.db;
    Ok(HomeContent {
        categories: catalog::categories(&db).await?,
        new_arrivals: catalog::new_arrivals(&db, 8).await?,
        top_rated: catalog::top_rated(&db, 8).await?,
    })
}

/// A product's page: the product and its reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductPageData {
    pub product: ProductDetail,
    pub reviews: model::reviews::ProductReviews,
    /// On this visitor's wishlist.
    pub saved: bool,
    /// "Customers also bought" and "Similar items".
    pub discovery: model::catalog::Discovery,
}

/// The product of `slug` with the reviews its page asks for (`reviews`: the URL's order, star filter and page).
#[server(endpoint = "product_page")]
pub async fn product_page(
    slug: String,
    #[server(default)] reviews: ListingParams,
) -> Result<ProductPageData, AppError> {
    let services = crate::ssr::services()?;
    let db = services.db;
    let product = domain::catalog::product_by_slug(&db, &slug).await?;
    let query = domain::reviews::reading::query_from(reviews.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let reviews = domain::reviews::reading::for_product(&db, product.card.id, query)
        .await
        .map_err(crate::ssr::internal)?;
    let saved = crate::api::wishlist::imp::holds(product.card.id).await?;
    let discovery = services.discovery.for_product(&db, product.card.id).await?;
    crate::ssr::page_shows(discovery.also_bought.iter().chain(&discovery.similar).map(|c| c.id));
    Ok(ProductPageData {
        product,
        reviews,
        saved,
        discovery,
    })
}

/// A listing: the search page, a category page (`category_slug`) or a store page (`store_slug`).
#[server(endpoint = "listing")]
pub async fn listing(
    params: ListingParams,
    category_slug: Option<String>,
    store_slug: Option<String>,
) -> Result<ListingData, AppError> {
    let services = crate::ssr::services()?;
    let pairs = params.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let listing = domain::search::listing(
        &services.db,
        &*services.search,
        pairs,
        category_slug.as_deref(),
        store_slug.as_deref(),
    )
    .await?;
    if category_slug.is_none()
        && store_slug.is_none()
        && listing.query.q.as_deref().is_some_and(|q| !q.trim().is_empty())
    {
        crate::ssr::page_found(listing.results.total);
    }
    let store_ratings = match &listing.store {
        Some(store) => Some(
            domain::reviews::store_ratings::for_store(&services.db, &store.slug)
                .await
                .map_err(crate::ssr::internal)?,
        ),
        None => None,
    };
    Ok(ListingData {
        categories: listing.categories,
        query: listing.query,
        results: listing.results,
        category: listing.category,
        store: listing.store,
        store_ratings,
    })
}

/// Products and categories matching what is typed in the search box so far. A GET, so the search box can call it
/// with a plain fetch and browsers and CDNs may cache it.
#[server(endpoint = "suggest", input = leptos::server_fn::codec::GetUrl)]
pub async fn suggest(q: String) -> Result<Vec<Suggestion>, AppError> {
    let services = crate::ssr::services()?;
    Ok(domain::search::suggest(&services.db, &*services.search, &q).await?)
}
