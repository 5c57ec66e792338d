use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
use model::catalog::{ImageView, ProductDetail};

use crate::api::cart::AddToCart;
use crate::api::catalog::{product_page, ListingParams, ProductPageData};
use crate::api::reviews::{MarkReviewHelpful, ReportReview};
use crate::api::wishlist::SaveForLater;
use crate::components::catalog::{Breadcrumbs, Markdown, Rating, ReturnsNote};
use crate::components::discovery::{DiscoveryRows, RecentlyViewed};
use crate::components::reviews::ReviewsSection;
use crate::components::variant_picker::VariantPicker;
use crate::error::AppError;
use crate::pages::errors::{LoadError, NotFoundPage};
use crate::pages::url_error;

/// The main picture (the page's largest element: loaded first, never lazily) and thumbnails linking to the
/// full-size originals. Width and height are always set, so nothing moves while pictures load.
#[component]
fn Gallery(images: Vec<ImageView>, fallback: String, title: String) -> impl IntoView {
    let Some(main) = images.first().cloned() else {
        return view! {
            <div class="product__gallery">
                <img class="product__image" src=fallback alt=format!("{title} (product image)") width="480" height="480" fetchpriority="high"/>
            </div>
        }
        .into_any();
    };
    view! {
        <div class="product__gallery">
            <img class="product__image" src=main.url.clone() alt=main.alt.clone() width=main.width height=main.height fetchpriority="high"/>
            {(images.len() > 1).then(|| view! {
                <ul class="gallery__thumbs" aria-label="More pictures">
                    {images.into_iter().map(|img| view! {
                        <li>
                            <a href=img.full_url.clone()>
                                <img src=img.thumb_url.clone() alt=format!("{} (full size)", img.alt) width="80" height="80" loading="lazy"/>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
    .into_any()
}

/// "Save to wishlist", or "Saved" with a link to the list and a way to take it off. A plain form: no island.
#[component]
fn WishlistButton(product: i64, title: String, saved: bool) -> impl IntoView {
    let error = url_error::<SaveForLater>();
    let (keep, label) = if saved {
        ("0", "♥ Saved: remove from wishlist")
    } else {
        ("1", "♡ Save to wishlist")
    };
    view! {
        <div class="wishlist-button" id="wishlist">
            {error.map(|e| view! { <p class="alert alert--error" role="alert">{e.to_string()}</p> })}
            <form method="post" action=SaveForLater::url()>
                <input type="hidden" name="product" value=product.to_string()/>
                <input type="hidden" name="keep" value=keep/>
                <button class="button button--secondary" type="submit">
                    {label}<span class="visually-hidden">{format!(": {title}")}</span>
                </button>
            </form>
            {saved.then(|| view! { <p><a href="/wishlist">"View your wishlist"</a></p> })}
        </div>
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let slug = use_params_map().with_untracked(|p| p.get("slug")).unwrap_or_default();
    let (params, thanks) = leptos_router::hooks::use_query_map().with_untracked(|q| {
        let pairs = ["reviews", "stars", "reviews_page"]
            .into_iter()
            .filter_map(|k| q.get(k).map(|v| (k.to_string(), v)))
            .collect();
        (ListingParams { pairs }, q.get("thanks"))
    });
    let review_error = url_error::<MarkReviewHelpful>().or_else(url_error::<ReportReview>);
    view! {
        <Suspense fallback=|| ()>
            {let (slug, params, thanks, review_error) = (slug.clone(), params.clone(), thanks.clone(), review_error.clone()); Suspend::new(async move {
                match product_page(slug.clone(), params).await {
                    Ok(ProductPageData { product: p, reviews, saved, discovery }) => {
                        // What search engines show: the seller's SEO title and description where given.
                        let title = if p.seo_title.is_empty() { p.card.title.clone() } else { p.seo_title.clone() };
                        let description = (!p.seo_description.is_empty()).then(|| p.seo_description.clone());
                        let id = p.card.id;
                        view! {
                            <Title text=title/>
                            {description.map(|d| view! { <Meta name="description" content=d/> })}
                            <ProductArticle product=p preview=false saved=saved/>
                            <DiscoveryRows discovery=discovery/>
                            <ReviewsSection slug=slug reviews=reviews thanks=thanks error=review_error/>
                            <RecentlyViewed current=id/>
                        }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A product as its page shows it. In a seller's `preview` (a draft, say) the variants are listed instead of the
/// picker: nothing can be bought from a preview.
#[component]
pub fn ProductArticle(product: ProductDetail, preview: bool, #[prop(optional)] saved: Option<bool>) -> impl IntoView {
    let p = product;
    let card = p.card.clone();
    view! {
        <Breadcrumbs trail=p.breadcrumbs.clone() current=card.title.clone()/>
        <article class="product">
            <Gallery images=p.images.clone() fallback=card.image_url.clone() title=card.title.clone()/>
            <div class="product__info">
                <h1 class="page-title">{card.title.clone()}</h1>
                <p class="product__seller">"Sold by "
                    <a href=format!("/store/{}", card.seller_slug)>{card.seller_name.clone()}</a>
                </p>
                <ReturnsNote returns=p.returns.clone()/>
                <Rating rating=card.rating count=card.rating_count/>
                {(!preview).then(|| view! {
                    <p class="rating-links"><a href="#reviews">"Read the reviews"</a>" · "<a href="/help/reviews">"How reviews work"</a></p>
                })}
                <section aria-labelledby="options-title">
                    <h2 id="options-title" class="section-title">"Options"</h2>
                    {if preview {
                        view! {
                            <ul class="preview-variants">
                                {p.variants.iter().map(|v| view! {
                                    <li>{format!("{} · {} · SKU {}", if v.title.is_empty() { "Default" } else { v.title.as_str() }, v.price.display(), v.sku)}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    } else {
                        view! { <VariantPicker variants=p.variants.clone() error={crate::pages::url_error::<AddToCart>()}/> }.into_any()
                    }}
                    {saved.map(|saved| view! { <WishlistButton product=card.id title=card.title.clone() saved=saved/> })}
                    {(!preview).then(|| view! { <crate::components::back_in_stock::NotifyMe variants=p.variants.clone()/> })}
                </section>
                <section aria-labelledby="description-title">
                    <h2 id="description-title" class="section-title">"Description"</h2>
                    <Markdown source=p.description_md.clone()/>
                </section>
                {(!p.attributes.is_empty()).then(|| view! {
                    <section aria-labelledby="specs-title">
                        <h2 id="specs-title" class="section-title">"Specifications"</h2>
                        <table class="specs">
                            <tbody>
                                {p.attributes.iter().map(|(k, v)| view! {
                                    <tr><th scope="row">{k.clone()}</th><td>{v.clone()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                })}
                {(!p.tags.is_empty()).then(|| view! {
                    <section aria-labelledby="tags-title">
                        <h2 id="tags-title" class="section-title">"Tags"</h2>
                        <ul class="chips" aria-labelledby="tags-title">
                            {p.tags.iter().map(|t| view! {
                                <li><a class="chip" href=format!("/search?q={}", crate::url_encode(t))>{t.clone()}</a></li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
            </div>
        </article>
    }
}
